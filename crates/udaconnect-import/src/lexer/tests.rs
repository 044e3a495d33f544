use super::{Lexer, Tok};

fn tokens(sql: &str) -> Vec<(Tok, String)> {
    let mut lx = Lexer::new(sql.as_bytes());
    let mut out = Vec::new();
    loop {
        let t = lx.next().unwrap();
        if t == Tok::Eof {
            return out;
        }
        out.push((t, String::from_utf8_lossy(&lx.text).into_owned()));
    }
}

fn s(t: Tok, text: &str) -> (Tok, String) {
    (t, text.to_owned())
}

#[test]
fn words_numbers_punctuation_and_casts() {
    assert_eq!(
        tokens("insert INTO public.\"Person\" (id) values (-1.5e-3, .5)::numeric;"),
        vec![
            s(Tok::Word, "insert"),
            s(Tok::Word, "INTO"),
            s(Tok::Word, "public"),
            s(Tok::Punct(b'.'), ""),
            s(Tok::QuotedIdent, "Person"),
            s(Tok::Punct(b'('), ""),
            s(Tok::Word, "id"),
            s(Tok::Punct(b')'), ""),
            s(Tok::Word, "values"),
            s(Tok::Punct(b'('), ""),
            s(Tok::Punct(b'-'), ""),
            s(Tok::Number, "1.5e-3"),
            s(Tok::Punct(b','), ""),
            s(Tok::Number, ".5"),
            s(Tok::Punct(b')'), ""),
            s(Tok::Cast, ""),
            s(Tok::Word, "numeric"),
            s(Tok::Punct(b';'), ""),
        ]
    );
}

#[test]
fn strings_and_escapes() {
    assert_eq!(tokens("'O''Brien'"), vec![s(Tok::Str, "O'Brien")]);
    assert_eq!(tokens("'a\\nb'"), vec![s(Tok::Str, "a\\nb")]);
    assert_eq!(
        tokens("E'a\\nb\\t\\'c\\x41\\101\\u00e9'"),
        vec![s(Tok::Str, "a\nb\t'cAAé")]
    );
    assert_eq!(tokens("e'x'"), vec![s(Tok::Str, "x")]);
    assert_eq!(tokens("\"a\"\"b\""), vec![s(Tok::QuotedIdent, "a\"b")]);
    assert_eq!(
        tokens("$$it's; done$$ $fn$ a $$ b $fn$ $1"),
        vec![
            s(Tok::Str, "it's; done"),
            s(Tok::Str, " a $$ b "),
            s(Tok::Punct(b'$'), ""),
            s(Tok::Number, "1"),
        ]
    );
}

#[test]
fn comments_are_skipped_and_lines_counted() {
    let sql = "-- header; with 'quote\n/* block /* nested */ ; */ word\n\n  next";
    let mut lx = Lexer::new(sql.as_bytes());
    assert_eq!(lx.next().unwrap(), Tok::Word);
    assert_eq!(lx.text, b"word");
    assert_eq!(lx.line(), 2);
    assert_eq!(lx.next().unwrap(), Tok::Word);
    assert_eq!(lx.line(), 4);
    lx.push_back();
    assert_eq!(lx.next().unwrap(), Tok::Word);
    assert_eq!(lx.text, b"next");
    assert_eq!(lx.next().unwrap(), Tok::Eof);
}

#[test]
fn unterminated_input_ends_cleanly() {
    assert_eq!(tokens("'abc"), vec![s(Tok::Str, "abc")]);
    assert_eq!(tokens("/* never closed"), vec![]);
    assert_eq!(tokens("$tag$ open"), vec![s(Tok::Str, " open")]);
    assert_eq!(tokens("E'\\"), vec![s(Tok::Str, "")]);
}
