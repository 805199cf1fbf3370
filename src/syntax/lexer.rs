//! The lexer: source text to tokens, with logos.
//!
//! [`Token`] borrows identifiers and doc comments from the source and
//! converts numeric literals in logos callbacks, so the grammar never parses
//! text. [`Lexer`] is the iterator LALRPOP's `extern` block expects: it yields
//! `Ok((start, token, end))` with byte offsets, or a [`LexError`] that already
//! carries its span.
//!
//! Whitespace and `//` comments are skipped. `///` doc comments are tokens,
//! because the grammar attaches them to the `fn` that follows.
//!
//! ```text
//! let x = 1.5e3;  =>  Let, Ident("x"), Eq, Real(1500.0), Semi
//! ```

use logos::Logos;

use super::span::{FileId, Span};

/// Why a piece of text is not a token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LexErrorKind {
    /// A character that starts no token, such as `$` or `@`.
    #[default]
    InvalidCharacter,
    /// An integer literal larger than `i64::MAX`.
    IntOutOfRange,
    /// A real literal too large to be a finite `f64`.
    RealOutOfRange,
    /// A string literal without its closing `"` on the same line.
    UnterminatedString,
}

/// A lexing failure and where it happened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LexError {
    pub kind: LexErrorKind,
    /// The offending text. Logos callbacks cannot see the file, so the span
    /// is filled in by [`Lexer`] before the error leaves this module.
    pub span: Span,
}

impl LexError {
    fn new(kind: LexErrorKind) -> LexError {
        LexError {
            kind,
            span: Span::default(),
        }
    }
}

/// A token of the language. Identifiers and doc comments borrow the source.
#[derive(Logos, Clone, Copy, Debug, PartialEq)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\r\n\f]+")]
pub enum Token<'src> {
    /// An ordinary comment, `//` to the end of the line; never yielded.
    #[regex(r"//[^\n]*", logos::skip, allow_greedy = true)]
    Comment,
    /// `/// text`: the text after the three slashes, up to the end of the
    /// line. Four or more slashes are an ordinary comment, as in Rust.
    #[regex(r"///([^/\n][^\n]*)?", |lex| &lex.slice()[3..], priority = 10, allow_greedy = true)]
    DocComment(&'src str),

    #[token("fn")]
    Fn,
    #[token("let")]
    Let,
    #[token("mut")]
    Mut,
    #[token("for")]
    For,
    #[token("in")]
    In,
    #[token("if")]
    If,
    #[token("else")]
    Else,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("real")]
    RealType,
    #[token("int")]
    IntType,
    #[token("bool")]
    BoolType,
    #[token("while")]
    While,
    #[token("use")]
    Use,

    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    Ident(&'src str),
    #[regex(r"[0-9]+", parse_int)]
    Int(i64),
    #[regex(r"[0-9]+\.[0-9]+([eE][+-]?[0-9]+)?", parse_real)]
    #[regex(r"[0-9]+[eE][+-]?[0-9]+", parse_real)]
    Real(f64),
    /// `"text"`: the text between the quotes. There are no escapes, and a
    /// string ends at the end of its line; strings only appear as attribute
    /// values (`network = "bitonic"`).
    #[regex(r#""[^"\n]*""#, |lex| { let text = lex.slice(); &text[1..text.len() - 1] })]
    #[regex(r#""[^"\n]*"#, unterminated_string, allow_greedy = true)]
    Str(&'src str),

    /// `#[`: starts an attribute of the statement or expression after it.
    #[token("#[")]
    HashBracket,
    /// `#![`: starts an attribute of the whole file.
    #[token("#![")]
    HashBangBracket,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token(",")]
    Comma,
    #[token(";")]
    Semi,
    #[token(":")]
    Colon,
    #[token("->")]
    Arrow,
    #[token("..")]
    DotDot,
    #[token("=")]
    Eq,
    #[token("+=")]
    PlusEq,
    #[token("-=")]
    MinusEq,
    #[token("*=")]
    StarEq,
    #[token("/=")]
    SlashEq,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("&&")]
    AndAnd,
    #[token("||")]
    OrOr,
    #[token("!")]
    Bang,
}

fn parse_int<'src>(lex: &mut logos::Lexer<'src, Token<'src>>) -> Result<i64, LexError> {
    // The regex admits only digits, so the only failure is overflow.
    lex.slice()
        .parse::<i64>()
        .map_err(|_| LexError::new(LexErrorKind::IntOutOfRange))
}

fn unterminated_string<'src>(
    _: &mut logos::Lexer<'src, Token<'src>>,
) -> Result<&'src str, LexError> {
    Err(LexError::new(LexErrorKind::UnterminatedString))
}

fn parse_real<'src>(lex: &mut logos::Lexer<'src, Token<'src>>) -> Result<f64, LexError> {
    match lex.slice().parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        _ => Err(LexError::new(LexErrorKind::RealOutOfRange)),
    }
}

impl Token<'_> {
    /// A short description for "found ..." messages: the terminal name used
    /// in the grammar's `extern` block, so found and expected lists agree.
    pub fn describe(&self) -> &'static str {
        match self {
            Token::Comment => "comment",
            Token::DocComment(_) => "doc comment",
            Token::Ident(_) => "identifier",
            Token::Int(_) => "int literal",
            Token::Real(_) => "real literal",
            Token::Fn => "`fn`",
            Token::Let => "`let`",
            Token::Mut => "`mut`",
            Token::For => "`for`",
            Token::In => "`in`",
            Token::If => "`if`",
            Token::Else => "`else`",
            Token::True => "`true`",
            Token::False => "`false`",
            Token::RealType => "`real`",
            Token::IntType => "`int`",
            Token::BoolType => "`bool`",
            Token::While => "`while`",
            Token::Use => "`use`",
            Token::Str(_) => "string literal",
            Token::HashBracket => "`#[`",
            Token::HashBangBracket => "`#![`",
            Token::LParen => "`(`",
            Token::RParen => "`)`",
            Token::LBrace => "`{`",
            Token::RBrace => "`}`",
            Token::LBracket => "`[`",
            Token::RBracket => "`]`",
            Token::Comma => "`,`",
            Token::Semi => "`;`",
            Token::Colon => "`:`",
            Token::Arrow => "`->`",
            Token::DotDot => "`..`",
            Token::Eq => "`=`",
            Token::PlusEq => "`+=`",
            Token::MinusEq => "`-=`",
            Token::StarEq => "`*=`",
            Token::SlashEq => "`/=`",
            Token::Plus => "`+`",
            Token::Minus => "`-`",
            Token::Star => "`*`",
            Token::Slash => "`/`",
            Token::Percent => "`%`",
            Token::Lt => "`<`",
            Token::Le => "`<=`",
            Token::Gt => "`>`",
            Token::Ge => "`>=`",
            Token::EqEq => "`==`",
            Token::NotEq => "`!=`",
            Token::AndAnd => "`&&`",
            Token::OrOr => "`||`",
            Token::Bang => "`!`",
        }
    }
}

/// The token stream of one file, in the shape LALRPOP's `extern` block wants.
pub struct Lexer<'src> {
    file: FileId,
    inner: logos::SpannedIter<'src, Token<'src>>,
}

impl<'src> Lexer<'src> {
    pub fn new(file: FileId, source: &'src str) -> Lexer<'src> {
        Lexer {
            file,
            inner: Token::lexer(source).spanned(),
        }
    }
}

impl<'src> Iterator for Lexer<'src> {
    type Item = Result<(u32, Token<'src>, u32), LexError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (result, range) = self.inner.next()?;
        // Sources are limited to u32 offsets by `Span`; the parser entry point
        // rejects longer files before lexing.
        let start = range.start as u32;
        let end = range.end as u32;
        Some(match result {
            Ok(token) => Ok((start, token, end)),
            Err(mut error) => {
                error.span = Span::new(self.file, start, end);
                Err(error)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(source: &str) -> Vec<Result<Token<'_>, LexErrorKind>> {
        Lexer::new(FileId(0), source)
            .map(|item| item.map(|(_, token, _)| token).map_err(|e| e.kind))
            .collect()
    }

    #[test]
    fn numbers_ranges_and_comments() {
        assert_eq!(
            lex("for i in 0..n // loop\n{ 1.5e1 }"),
            vec![
                Ok(Token::For),
                Ok(Token::Ident("i")),
                Ok(Token::In),
                Ok(Token::Int(0)),
                Ok(Token::DotDot),
                Ok(Token::Ident("n")),
                Ok(Token::LBrace),
                Ok(Token::Real(15.0)),
                Ok(Token::RBrace),
            ]
        );
    }

    #[test]
    fn doc_comments_are_tokens_but_four_slashes_are_not() {
        assert_eq!(
            lex("/// Sorts.\n//// not docs\n///\nfn"),
            vec![
                Ok(Token::DocComment(" Sorts.")),
                Ok(Token::DocComment("")),
                Ok(Token::Fn),
            ]
        );
    }

    #[test]
    fn errors_carry_spans() {
        let items: Vec<_> = Lexer::new(FileId(3), "x $ 99999999999999999999").collect();
        assert_eq!(
            items[1],
            Err(LexError {
                kind: LexErrorKind::InvalidCharacter,
                span: Span::new(FileId(3), 2, 3)
            })
        );
        assert_eq!(
            items[2],
            Err(LexError {
                kind: LexErrorKind::IntOutOfRange,
                span: Span::new(FileId(3), 4, 24)
            })
        );
        assert_eq!(lex("1e999"), vec![Err(LexErrorKind::RealOutOfRange)]);
        assert_eq!(
            lex("\"open\n1"),
            vec![Err(LexErrorKind::UnterminatedString), Ok(Token::Int(1))]
        );
    }

    #[test]
    fn attributes_strings_and_new_keywords() {
        assert_eq!(
            lex("#![relax] #[relax(network = \"odd_even\")] while use"),
            vec![
                Ok(Token::HashBangBracket),
                Ok(Token::Ident("relax")),
                Ok(Token::RBracket),
                Ok(Token::HashBracket),
                Ok(Token::Ident("relax")),
                Ok(Token::LParen),
                Ok(Token::Ident("network")),
                Ok(Token::Eq),
                Ok(Token::Str("odd_even")),
                Ok(Token::RParen),
                Ok(Token::RBracket),
                Ok(Token::While),
                Ok(Token::Use),
            ]
        );
    }
}
