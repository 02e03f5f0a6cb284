#!/usr/bin/env bash
# mdbook-quiz as the book runs it (book.toml's `[preprocessor.quiz]`).
#
# mdbook-quiz 0.5.0 links its script and stylesheet into every chapter that has a quiz, with a
# path relative to the chapter's folder (`../quiz/quiz-embed.iife.js`). On the print page every
# chapter sits at the book's root, where that path leaves the book, and the script would be
# loaded once per chapter, drawing each quiz as many times. So the links are taken out of the
# preprocessed chapters here, and theme/head.hbs links both files once per page, from the
# book's root. The preprocessor's JSON output holds them with escaped quotes.
set -euo pipefail
mdbook-quiz "$@" | sed -E \
    -e 's#<script type=\\"text/javascript\\" src=\\"(\.\./)*quiz/quiz-embed\.iife\.js\\"></script>##g' \
    -e 's#<link rel=\\"stylesheet\\" type=\\"text/css\\" href=\\"(\.\./)*quiz/style\.css\\">##g'
