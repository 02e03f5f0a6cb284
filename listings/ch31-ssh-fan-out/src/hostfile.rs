//! The host list: one host per line, `name address [port]`, `#` starts a
//! comment. The same small file describes the lab's namespaces and a reader's
//! real machines.

use std::fmt;

/// One machine to reach over ssh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Host {
    /// What the report calls it.
    pub name: String,
    /// What ssh connects to: an address or a name that resolves.
    pub address: String,
    pub port: u16,
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.name, self.address, self.port)
    }
}

/// Reads a host list; an error names the line that is wrong.
pub fn parse(text: &str) -> Result<Vec<Host>, String> {
    let mut hosts = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let wrong = |why: &str| format!("line {}: {why}: {line:?}", number + 1);
        let (name, address, port) = match words[..] {
            [name, address] => (name, address, 22),
            [name, address, port] => {
                let port = port.parse().ok().filter(|&p| p > 0);
                (
                    name,
                    address,
                    port.ok_or_else(|| wrong("the port is not 1 to 65535"))?,
                )
            }
            _ => return Err(wrong("expected `name address [port]`")),
        };
        if address.starts_with('-') {
            return Err(wrong("an address cannot start with '-'"));
        }
        if hosts.iter().any(|host: &Host| host.name == name) {
            return Err(wrong("this name is already used"));
        }
        hosts.push(Host {
            name: name.to_string(),
            address: address.to_string(),
            port,
        });
    }
    if hosts.is_empty() {
        return Err("the host list names no host".to_string());
    }
    Ok(hosts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_addresses_ports_and_comments() {
        let hosts =
            parse("# the lab\nweb1 10.0.0.1\n\ndb 127.0.0.2 2222  # spare\n")
                .unwrap();
        assert_eq!(hosts.len(), 2);
        assert_eq!(hosts[0].to_string(), "web1 10.0.0.1 22");
        assert_eq!(hosts[1].to_string(), "db 127.0.0.2 2222");
    }

    #[test]
    fn mistakes_name_their_line() {
        for (text, line) in [
            ("a 1.2.3.4 0", "line 1"),
            ("a 1.2.3.4\nb", "line 2"),
            ("a 1.2.3.4\na 5.6.7.8", "line 2"),
            ("a -oProxyCommand=x", "line 1"),
            ("a b c d", "line 1"),
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.starts_with(line), "{text:?}: {error}");
        }
        assert!(parse("# nothing\n").is_err());
    }
}
