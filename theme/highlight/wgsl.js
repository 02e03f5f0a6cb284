/*
  WGSL (WebGPU Shading Language) for highlight.js 10, which has no grammar for it.
  Written from the WGSL specification's keyword, type and built-in function lists;
  `rebuild.sh` appends it to the highlight.js bundle the book serves.
*/
hljs.registerLanguage("wgsl", function (hljs) {
  "use strict";
  const TYPES = [
    "bool", "f16", "f32", "i32", "u32",
    "vec2", "vec3", "vec4", "vec2f", "vec3f", "vec4f", "vec2i", "vec3i", "vec4i",
    "vec2u", "vec3u", "vec4u", "vec2h", "vec3h", "vec4h",
    "mat2x2", "mat2x3", "mat2x4", "mat3x2", "mat3x3", "mat3x4", "mat4x2", "mat4x3", "mat4x4",
    "mat2x2f", "mat3x3f", "mat4x4f", "array", "atomic", "ptr", "sampler", "sampler_comparison",
    "texture_1d", "texture_2d", "texture_2d_array", "texture_3d", "texture_cube",
    "texture_cube_array", "texture_multisampled_2d", "texture_storage_1d",
    "texture_storage_2d", "texture_storage_2d_array", "texture_storage_3d",
    "texture_depth_2d", "texture_depth_2d_array", "texture_depth_cube",
    "texture_depth_cube_array", "texture_depth_multisampled_2d", "texture_external",
  ];
  const KEYWORDS = [
    "alias", "break", "case", "const", "const_assert", "continue", "continuing", "default",
    "diagnostic", "discard", "else", "enable", "fn", "for", "if", "let", "loop", "override",
    "requires", "return", "struct", "switch", "var", "while",
    // Address spaces and access modes, written inside var<...> and ptr<...>.
    "function", "private", "workgroup", "uniform", "storage", "read", "write", "read_write",
  ];
  const BUILT_INS = [
    "abs", "acos", "acosh", "all", "any", "arrayLength", "asin", "asinh", "atan", "atan2",
    "atanh", "atomicAdd", "atomicAnd", "atomicCompareExchangeWeak", "atomicExchange",
    "atomicLoad", "atomicMax", "atomicMin", "atomicOr", "atomicStore", "atomicSub",
    "atomicXor", "bitcast", "ceil", "clamp", "cos", "cosh", "countLeadingZeros",
    "countOneBits", "countTrailingZeros", "cross", "degrees", "determinant", "distance",
    "dot", "exp", "exp2", "extractBits", "faceForward", "firstLeadingBit",
    "firstTrailingBit", "floor", "fma", "fract", "frexp", "insertBits", "inverseSqrt",
    "ldexp", "length", "log", "log2", "max", "min", "mix", "modf", "normalize", "pow",
    "radians", "reflect", "refract", "reverseBits", "round", "saturate", "select", "sign",
    "sin", "sinh", "smoothstep", "sqrt", "step", "storageBarrier", "tan", "tanh",
    "textureBarrier", "textureDimensions", "textureLoad", "textureSample", "textureStore",
    "transpose", "trunc", "workgroupBarrier", "workgroupUniformLoad",
  ];
  return {
    name: "WGSL",
    keywords: {
      keyword: KEYWORDS.join(" "),
      type: TYPES.join(" "),
      literal: "true false",
    },
    illegal: "</",
    contains: [
      hljs.C_LINE_COMMENT_MODE,
      hljs.COMMENT("/\\*", "\\*/", { contains: ["self"] }),
      {
        // A built-in function only where it is called, so a field named `step` stays plain.
        className: "built_in",
        begin: new RegExp("\\b(" + BUILT_INS.join("|") + ")(?=\\s*\\()"),
      },
      {
        // Attributes: @compute, @workgroup_size(16, 16), @group(0) @binding(1).
        className: "meta",
        begin: /@[A-Za-z_][A-Za-z0-9_]*/,
      },
      {
        className: "number",
        variants: [
          { begin: /\b0[xX][0-9a-fA-F]+[iuf]?\b/ },
          { begin: /\b[0-9]+\.[0-9]*([eE][+-]?[0-9]+)?[fh]?/ },
          { begin: /\.[0-9]+([eE][+-]?[0-9]+)?[fh]?\b/ },
          { begin: /\b[0-9]+([eE][+-]?[0-9]+)?[iufh]?\b/ },
        ],
        relevance: 0,
      },
      {
        // The name after `fn` is the function's title, as in the C and Rust grammars.
        className: "function",
        beginKeywords: "fn",
        end: /\(/,
        excludeEnd: true,
        contains: [hljs.UNDERSCORE_TITLE_MODE],
      },
      {
        className: "class",
        beginKeywords: "struct",
        end: /\{/,
        excludeEnd: true,
        contains: [hljs.UNDERSCORE_TITLE_MODE],
      },
    ],
  };
});
