//! The grpcurl samples of docs/grpc.md: every fenced `sh` block whose command is `grpcurl …`,
//! paired with the fenced block right after it (what grpcurl prints).

use std::time::Duration;

/// What a sample asks grpcurl to do.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Action {
    /// `grpcurl -plaintext -H "authorization: Bearer $TOKEN" [-max-time SECONDS] [-d '<body>']
    /// ADDR package.Service/Method` (health checks need no header).
    Call {
        method: String,
        body: String,
        /// `-max-time`: how long grpcurl waits for the whole call (a server stream runs
        /// until then and ends with DEADLINE_EXCEEDED).
        max_time: Option<Duration>,
    },
    /// `grpcurl -plaintext ADDR list [service]`.
    List { service: Option<String> },
    /// `grpcurl -plaintext ADDR describe symbol`.
    Describe { symbol: String },
}

/// One sample: the command's action and the output the doc shows for it.
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    /// 1-based line of the command in the doc, for messages.
    pub(crate) line: usize,
    pub(crate) action: Action,
    pub(crate) expected: String,
}

/// An error answer as grpcurl prints it (`ERROR:`, `  Code: …`, `  Message: …`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExpectedError {
    pub(crate) code: String,
    pub(crate) message: String,
}

/// Every grpcurl sample of `doc`, in order. Panics on a command it cannot read or one
/// without an output block: the doc must not hold a sample this test cannot check.
pub(crate) fn parse(doc: &str) -> Vec<Sample> {
    let blocks = fenced_blocks(doc);
    let mut samples = Vec::new();
    for (i, (line, lang, text)) in blocks.iter().enumerate() {
        let command = text.replace("\\\n", " ");
        if lang != "sh" || !command.trim_start().starts_with("grpcurl ") {
            continue;
        }
        let expected = match blocks.get(i + 1) {
            Some((_, lang, out)) if lang != "sh" => out.clone(),
            _ => panic!("docs/grpc.md:{line}: grpcurl sample without an output block"),
        };
        let action = action(&command).unwrap_or_else(|e| panic!("docs/grpc.md:{line}: {e}"));
        samples.push(Sample {
            line: *line,
            action,
            expected,
        });
    }
    samples
}

/// Fenced code blocks: (line of the opening fence + 1, language, content).
fn fenced_blocks(doc: &str) -> Vec<(usize, String, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, String, String)> = None;
    for (n, line) in doc.lines().enumerate() {
        match (&mut open, line.trim_start().strip_prefix("```")) {
            (None, Some(lang)) => open = Some((n + 2, lang.trim().to_owned(), String::new())),
            (Some(_), Some(_)) => blocks.push(open.take().expect("open block")),
            (Some((_, _, text)), None) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "docs/grpc.md: unclosed code block");
    blocks
}

/// The header every call sample sends (the test sends an organiser's token).
pub(crate) const AUTH_HEADER: &str = "authorization: Bearer $TOKEN";

/// Splits a shell command into words, honouring single quotes (all the samples use) and
/// double quotes (only the `-H` header, whose `$TOKEN` is taken literally).
fn words(command: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err("unterminated single quote".into()),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some(c @ ('`' | '\\')) => {
                            return Err(format!("unsupported shell syntax {c:?}"));
                        }
                        Some(c) => w.push(c),
                        None => return Err("unterminated double quote".into()),
                    }
                }
            }
            '$' | '`' | '\\' => return Err(format!("unsupported shell syntax {c:?}")),
            c if c.is_whitespace() => words.extend(word.take()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

fn action(command: &str) -> Result<Action, String> {
    let words = words(command)?;
    let mut body = None;
    let mut max_time = None;
    let mut header = None;
    let mut rest = Vec::new();
    let mut args = words.iter().skip(1);
    while let Some(word) = args.next() {
        match word.as_str() {
            "-plaintext" | "-v" => {}
            "-d" => body = Some(args.next().ok_or("-d without data")?.clone()),
            "-H" => header = Some(args.next().ok_or("-H without a header")?.clone()),
            "-max-time" => {
                let seconds = args.next().ok_or("-max-time without seconds")?;
                let seconds: f64 = seconds
                    .parse()
                    .map_err(|_| format!("-max-time {seconds} is not a number of seconds"))?;
                let seconds = Duration::try_from_secs_f64(seconds)
                    .map_err(|e| format!("-max-time {seconds}: {e}"))?;
                max_time = Some(seconds);
            }
            flag if flag.starts_with('-') => return Err(format!("unexpected flag {flag}")),
            word => rest.push(word.to_owned()),
        }
    }
    match rest.as_slice() {
        [addr, ..] if addr != "127.0.0.1:50051" => Err(format!("address {addr}, not the default")),
        [_, verb] if verb == "list" => Ok(Action::List { service: None }),
        [_, verb, service] if verb == "list" => Ok(Action::List {
            service: Some(service.clone()),
        }),
        [_, verb, symbol] if verb == "describe" => Ok(Action::Describe {
            symbol: symbol.clone(),
        }),
        [_, method]
            if method.contains('/')
                && !method.starts_with("grpc.health.")
                && header.as_deref() != Some(AUTH_HEADER) =>
        {
            Err(format!(
                "a call sample must send -H \"{AUTH_HEADER}\" (the server refuses calls without a token)"
            ))
        }
        [_, method] if method.contains('/') => Ok(Action::Call {
            method: method.clone(),
            body: body.ok_or("a call sample must send its request with -d")?,
            max_time,
        }),
        _ => Err(format!("cannot read grpcurl arguments {rest:?}")),
    }
}

/// The output of a server-streaming sample: the messages' JSON (one value each, as grpcurl
/// prints them one after the other) and the error the stream ended with, if any.
pub(crate) fn expected_stream(output: &str) -> (String, Option<ExpectedError>) {
    let mut messages = String::new();
    let mut lines = output.lines();
    for line in lines.by_ref() {
        if line.trim() == "ERROR:" {
            let rest: Vec<&str> = std::iter::once(line).chain(lines).collect();
            return (messages, expected_error(&rest.join("\n")));
        }
        messages.push_str(line);
        messages.push('\n');
    }
    (messages, None)
}

/// The error a sample's output shows, if it shows one.
pub(crate) fn expected_error(output: &str) -> Option<ExpectedError> {
    let mut lines = output.lines();
    if lines.next()?.trim() != "ERROR:" {
        return None;
    }
    let mut code = None;
    let mut message = None;
    for line in lines {
        if let Some(c) = line.trim().strip_prefix("Code: ") {
            code = Some(c.to_owned());
        } else if let Some(m) = line.trim().strip_prefix("Message: ") {
            message = Some(m.to_owned());
        }
    }
    Some(ExpectedError {
        code: code.expect("ERROR output without a Code line"),
        message: message.expect("ERROR output without a Message line"),
    })
}

#[test]
fn reads_commands_and_outputs() {
    let doc = "```sh\ngrpcurl -plaintext -H \"authorization: Bearer $TOKEN\" -d '{\"a\": 1}' \\\n  127.0.0.1:50051 p.S/M\n```\n\n\
               ```json\n{}\n```\n```sh\ngrpcurl -plaintext 127.0.0.1:50051 list\n```\n```text\nx\n```\n";
    let samples = parse(doc);
    let actions: Vec<_> = samples.iter().map(|s| s.action.clone()).collect();
    let call = Action::Call {
        method: "p.S/M".into(),
        body: "{\"a\": 1}".into(),
        max_time: None,
    };
    assert_eq!(actions, [call, Action::List { service: None }]);
    assert_eq!((samples[0].line, samples[1].expected.as_str()), (2, "x\n"));
    let e = action("grpcurl -plaintext -d '{}' 127.0.0.1:50051 p.S/M").unwrap_err();
    assert!(e.contains("authorization: Bearer $TOKEN"), "{e}");
    let e = expected_error("ERROR:\n  Code: NotFound\n  Message: person 2 not found\n").unwrap();
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("NotFound", "person 2 not found")
    );
}

#[test]
fn reads_stream_samples() {
    let doc = "```sh\ngrpcurl -plaintext -H \"authorization: Bearer $TOKEN\" -max-time 1.5 -d '{}' 127.0.0.1:50051 p.S/W\n```\n\
               ```text\n{\"a\": 1}\n{\"a\": 2}\nERROR:\n  Code: DeadlineExceeded\n  \
               Message: context deadline exceeded\n```\n";
    let samples = parse(doc);
    assert_eq!(
        samples[0].action,
        Action::Call {
            method: "p.S/W".into(),
            body: "{}".into(),
            max_time: Some(Duration::from_millis(1500)),
        }
    );
    let (messages, end) = expected_stream(&samples[0].expected);
    assert_eq!(messages, "{\"a\": 1}\n{\"a\": 2}\n");
    assert_eq!(
        end,
        Some(ExpectedError {
            code: "DeadlineExceeded".into(),
            message: "context deadline exceeded".into(),
        })
    );
    assert_eq!(expected_stream("{}\n"), ("{}\n".into(), None));
    let bad = "```sh\ngrpcurl -plaintext -max-time soon -d '{}' 127.0.0.1:50051 p.S/W\n```\n";
    assert!(action(bad.lines().nth(1).unwrap()).is_err());
}
