//! Applicability conditions: the small expression language packs use in
//! `when` and `applies_when` (grammar in `docs/checklist-format.md`).
//!
//! This module parses a condition, checks it against the declared scoping
//! questions, and evaluates it against a project's answers with three-valued
//! logic: a question that has not been answered yet makes a test *unknown*,
//! never silently false. It never reads files and never panics on input.

use crate::i18n::Text;
use crate::t;
use serde::{Serialize, Serializer};
use std::ops::Range;

/// A parsed condition, keeping its source text.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    source: String,
    expr: Expr,
}

impl Serialize for Condition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

/// A problem in a condition; `span` is a byte range within the condition text.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionError {
    pub span: Range<usize>,
    pub message: Text,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Test(Test),
}

#[derive(Debug, Clone, PartialEq)]
struct Test {
    question: String,
    span: Range<usize>,
    op: Op,
    values: Vec<(Value, Range<usize>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Truthy,
    Eq,
    Ne,
    Ge,
    Le,
    Gt,
    Lt,
    In,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Truthy => "",
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Ge => ">=",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Lt => "<",
            Op::In => "in",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Ident(String),
    Int(i64),
    Bool(bool),
}

/// The kind of answer a scoping question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionKind {
    Bool,
    Choice,
    Multi,
    Int,
}

/// What a condition needs to know about a question to check it.
pub struct QuestionInfo<'a> {
    pub kind: QuestionKind,
    pub options: Vec<&'a str>,
}

/// A project's answer to one scoping question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Bool(bool),
    Int(i64),
    Choice(String),
    Multi(Vec<String>),
}

/// Three-valued truth: a condition over unanswered questions is `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
    fn from_bool(b: bool) -> Truth {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Int(i64),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Op(Op),
}

fn lex(src: &str) -> Result<Vec<(Tok, Range<usize>)>, ConditionError> {
    let mut out = Vec::new();
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'(' => out.push((Tok::LParen, start..start + 1)),
            b')' => out.push((Tok::RParen, start..start + 1)),
            b'[' => out.push((Tok::LBracket, start..start + 1)),
            b']' => out.push((Tok::RBracket, start..start + 1)),
            b',' => out.push((Tok::Comma, start..start + 1)),
            b'=' | b'!' | b'>' | b'<' => {
                let two = bytes.get(i + 1) == Some(&b'=');
                let op = match (c, two) {
                    (b'=', true) => Op::Eq,
                    (b'!', true) => Op::Ne,
                    (b'>', true) => Op::Ge,
                    (b'<', true) => Op::Le,
                    (b'>', false) => Op::Gt,
                    (b'<', false) => Op::Lt,
                    _ => {
                        return Err(ConditionError {
                            span: start..start + 1,
                            message: t!(
                                "无法识别的运算符（可用：== != >= <= > < in）",
                                "unknown operator (use == != >= <= > < in)"
                            ),
                        })
                    }
                };
                let len = if two { 2 } else { 1 };
                out.push((Tok::Op(op), start..start + len));
                i += len;
                continue;
            }
            b'0'..=b'9' | b'-' => {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j].is_ascii_digit() {
                    j += 1;
                }
                let text = &src[i..j];
                let n: i64 = text.parse().map_err(|_| ConditionError {
                    span: i..j,
                    message: t!("不是有效的整数：`{text}`", "not a valid integer: `{text}`"),
                })?;
                out.push((Tok::Int(n), i..j));
                i = j;
                continue;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let mut j = i + 1;
                while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                    j += 1;
                }
                let word = &src[i..j];
                let tok = if word == "in" {
                    Tok::Op(Op::In)
                } else {
                    Tok::Ident(word.to_string())
                };
                out.push((tok, i..j));
                i = j;
                continue;
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(ConditionError {
                    span: i..i + ch.len_utf8(),
                    message: t!(
                        "条件中不能出现字符 `{ch}`（只允许 ASCII 标识符、整数、括号和运算符）",
                        "unexpected character `{ch}` in condition (only ASCII identifiers, integers, brackets and operators)"
                    ),
                });
            }
        }
        i += 1;
    }
    Ok(out)
}

/// Brackets and `not`s may nest at most this deep. The parser recurses once
/// per level, so without a bound a hostile pack (20,000 `(`) would overflow
/// the stack and abort the process; real conditions nest two or three deep.
pub const MAX_DEPTH: usize = 64;

/// A condition longer than this (bytes) is refused before it is parsed.
pub const MAX_LEN: usize = 64 * 1024;

struct Parser<'a> {
    toks: Vec<(Tok, Range<usize>)>,
    pos: usize,
    src: &'a str,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }
    fn span_here(&self) -> Range<usize> {
        match self.toks.get(self.pos) {
            Some((_, s)) => s.clone(),
            None => self.src.len()..self.src.len(),
        }
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(x)) if x == w)
    }
    fn err(&self, zh: String, en: String) -> ConditionError {
        ConditionError {
            span: self.span_here(),
            message: Text::new(zh, en),
        }
    }

    fn or(&mut self) -> Result<Expr, ConditionError> {
        let mut items = vec![self.and()?];
        while self.is_word("or") {
            self.pos += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, ConditionError> {
        let mut items = vec![self.unary()?];
        while self.is_word("and") {
            self.pos += 1;
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    /// Enters one level of nesting (a bracket or a `not`), refusing to go
    /// deeper than [`MAX_DEPTH`].
    fn enter(&mut self) -> Result<(), ConditionError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(
                format!("条件嵌套过深（括号与 not 最多嵌套 {MAX_DEPTH} 层）"),
                format!(
                    "the condition nests too deeply (at most {MAX_DEPTH} levels of brackets and `not`)"
                ),
            ));
        }
        Ok(())
    }

    fn unary(&mut self) -> Result<Expr, ConditionError> {
        if self.is_word("not") {
            self.enter()?;
            self.pos += 1;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        if self.peek() == Some(&Tok::LParen) {
            self.enter()?;
            self.pos += 1;
            let e = self.or()?;
            self.depth -= 1;
            if self.peek() != Some(&Tok::RParen) {
                return Err(self.err("缺少右括号 `)`".into(), "expected `)`".into()));
            }
            self.pos += 1;
            return Ok(e);
        }
        self.test()
    }

    fn test(&mut self) -> Result<Expr, ConditionError> {
        let (question, span) = match self.toks.get(self.pos) {
            Some((Tok::Ident(w), s)) if !is_keyword(w) => (w.clone(), s.clone()),
            _ => {
                return Err(self.err(
                    "此处应为问题标识（如 has_ota）".into(),
                    "expected a question id (e.g. has_ota)".into(),
                ))
            }
        };
        self.pos += 1;
        let op = match self.peek() {
            Some(Tok::Op(op)) => *op,
            _ => {
                return Ok(Expr::Test(Test {
                    question,
                    span,
                    op: Op::Truthy,
                    values: vec![],
                }))
            }
        };
        self.pos += 1;
        let values = if op == Op::In {
            if self.peek() != Some(&Tok::LBracket) {
                return Err(self.err("`in` 之后应为 `[`".into(), "expected `[` after `in`".into()));
            }
            self.pos += 1;
            let mut vals = vec![self.value()?];
            while self.peek() == Some(&Tok::Comma) {
                self.pos += 1;
                vals.push(self.value()?);
            }
            if self.peek() != Some(&Tok::RBracket) {
                return Err(self.err("缺少 `]`".into(), "expected `]`".into()));
            }
            self.pos += 1;
            vals
        } else {
            vec![self.value()?]
        };
        Ok(Expr::Test(Test {
            question,
            span,
            op,
            values,
        }))
    }

    fn value(&mut self) -> Result<(Value, Range<usize>), ConditionError> {
        let item = self.toks.get(self.pos).cloned();
        match item {
            Some((Tok::Int(n), s)) => {
                self.pos += 1;
                Ok((Value::Int(n), s))
            }
            Some((Tok::Ident(w), s)) if w == "true" || w == "false" => {
                self.pos += 1;
                Ok((Value::Bool(w == "true"), s))
            }
            Some((Tok::Ident(w), s)) if !is_keyword(&w) => {
                self.pos += 1;
                Ok((Value::Ident(w), s))
            }
            _ => Err(self.err(
                "此处应为取值（选项标识、整数、true 或 false）".into(),
                "expected a value (an option id, an integer, true or false)".into(),
            )),
        }
    }
}

fn is_keyword(w: &str) -> bool {
    matches!(w, "and" | "or" | "not" | "in" | "true" | "false")
}

impl Condition {
    /// Parses a condition. An empty condition is an error.
    pub fn parse(src: &str) -> Result<Condition, ConditionError> {
        if src.len() > MAX_LEN {
            let len = src.len();
            return Err(ConditionError {
                span: 0..0,
                message: t!(
                    "条件过长（{len} 字节，上限 {MAX_LEN}）",
                    "the condition is too long ({len} bytes, at most {MAX_LEN})"
                ),
            });
        }
        let toks = lex(src)?;
        if toks.is_empty() {
            return Err(ConditionError {
                span: 0..src.len(),
                message: t!("条件为空", "the condition is empty"),
            });
        }
        let mut p = Parser {
            toks,
            pos: 0,
            src,
            depth: 0,
        };
        let expr = p.or()?;
        if p.pos < p.toks.len() {
            return Err(p.err(
                "条件在此处之后有多余内容（是否缺少 and/or？）".into(),
                "unexpected text here (missing `and`/`or`?)".into(),
            ));
        }
        Ok(Condition {
            source: src.to_string(),
            expr,
        })
    }

    /// The condition's text as written in the pack.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The question ids the condition names, in order of appearance, without repeats.
    pub fn questions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        walk_tests(&self.expr, &mut |t| {
            if !out.contains(&t.question.as_str()) {
                out.push(&t.question);
            }
        });
        out
    }

    /// Checks every test against the declared questions: the question exists
    /// (`lookup` returns it), the operator fits its kind and every value is
    /// one of its options. Returns every problem found.
    pub fn check<'q>(
        &self,
        lookup: &dyn Fn(&str) -> Option<QuestionInfo<'q>>,
    ) -> Vec<ConditionError> {
        let mut errs = Vec::new();
        walk_tests(&self.expr, &mut |t| check_test(t, lookup, &mut errs));
        errs
    }

    /// Evaluates the condition against a project's answers.
    pub fn eval(&self, answer: &dyn Fn(&str) -> Option<Answer>) -> Truth {
        eval(&self.expr, answer)
    }
}

fn walk_tests<'a>(e: &'a Expr, f: &mut dyn FnMut(&'a Test)) {
    match e {
        Expr::Or(v) | Expr::And(v) => v.iter().for_each(|x| walk_tests(x, f)),
        Expr::Not(x) => walk_tests(x, f),
        Expr::Test(t) => f(t),
    }
}

fn check_test<'q>(
    t: &Test,
    lookup: &dyn Fn(&str) -> Option<QuestionInfo<'q>>,
    errs: &mut Vec<ConditionError>,
) {
    let q = &t.question;
    let Some(info) = lookup(q) else {
        errs.push(ConditionError {
            span: t.span.clone(),
            message: t!(
                "条件引用了未声明的问题 `{q}`（须在 questions.toml 中定义并列入本检查单的 pack.questions）",
                "the condition names the undeclared question `{q}` (define it in questions.toml and list it in this pack's pack.questions)"
            ),
        });
        return;
    };
    let sym = t.op.symbol();
    let op_ok = match (info.kind, t.op) {
        (QuestionKind::Bool, Op::Truthy | Op::Eq | Op::Ne) => true,
        (QuestionKind::Choice, Op::Eq | Op::Ne | Op::In) => true,
        (QuestionKind::Multi, Op::In) => true,
        (QuestionKind::Int, Op::Truthy) => false,
        (QuestionKind::Int, _) => true,
        _ => false,
    };
    if !op_ok {
        let kind = format!("{:?}", info.kind).to_lowercase();
        let (zh, en) = if t.op == Op::Truthy {
            (
                format!("问题 `{q}` 不是是/否问题，不能单独作为条件（类型：{kind}）"),
                format!("`{q}` is not a yes/no question and cannot stand alone (kind: {kind})"),
            )
        } else {
            (
                format!("运算符 `{sym}` 不适用于 {kind} 类型的问题 `{q}`"),
                format!("operator `{sym}` does not apply to the {kind} question `{q}`"),
            )
        };
        errs.push(ConditionError {
            span: t.span.clone(),
            message: Text::new(zh, en),
        });
        return;
    }
    for (v, span) in &t.values {
        let ok = match (info.kind, v) {
            (QuestionKind::Bool, Value::Bool(_)) => true,
            (QuestionKind::Int, Value::Int(_)) => true,
            (QuestionKind::Choice | QuestionKind::Multi, Value::Ident(id)) => {
                if info.options.contains(&id.as_str()) {
                    true
                } else {
                    let opts = info.options.join(", ");
                    errs.push(ConditionError {
                        span: span.clone(),
                        message: t!(
                            "`{id}` 不是问题 `{q}` 的选项（可选：{opts}）",
                            "`{id}` is not an option of `{q}` (options: {opts})"
                        ),
                    });
                    continue;
                }
            }
            _ => false,
        };
        if !ok {
            errs.push(ConditionError {
                span: span.clone(),
                message: t!(
                    "取值类型与问题 `{q}` 不符",
                    "value does not match the kind of question `{q}`"
                ),
            });
        }
    }
}

fn eval(e: &Expr, answer: &dyn Fn(&str) -> Option<Answer>) -> Truth {
    match e {
        Expr::Or(v) => {
            let mut acc = Truth::False;
            for x in v {
                match eval(x, answer) {
                    Truth::True => return Truth::True,
                    Truth::Unknown => acc = Truth::Unknown,
                    Truth::False => {}
                }
            }
            acc
        }
        Expr::And(v) => {
            let mut acc = Truth::True;
            for x in v {
                match eval(x, answer) {
                    Truth::False => return Truth::False,
                    Truth::Unknown => acc = Truth::Unknown,
                    Truth::True => {}
                }
            }
            acc
        }
        Expr::Not(x) => eval(x, answer).not(),
        Expr::Test(t) => match answer(&t.question) {
            None => Truth::Unknown,
            Some(a) => eval_test(t, &a),
        },
    }
}

fn eval_test(t: &Test, a: &Answer) -> Truth {
    let first = t.values.first().map(|(v, _)| v);
    let r = match (t.op, a, first) {
        (Op::Truthy, Answer::Bool(b), _) => Some(*b),
        (Op::Eq, Answer::Bool(b), Some(Value::Bool(v))) => Some(b == v),
        (Op::Ne, Answer::Bool(b), Some(Value::Bool(v))) => Some(b != v),
        (Op::Eq, Answer::Choice(c), Some(Value::Ident(v))) => Some(c == v),
        (Op::Ne, Answer::Choice(c), Some(Value::Ident(v))) => Some(c != v),
        (Op::Eq, Answer::Int(n), Some(Value::Int(v))) => Some(n == v),
        (Op::Ne, Answer::Int(n), Some(Value::Int(v))) => Some(n != v),
        (Op::Ge, Answer::Int(n), Some(Value::Int(v))) => Some(n >= v),
        (Op::Le, Answer::Int(n), Some(Value::Int(v))) => Some(n <= v),
        (Op::Gt, Answer::Int(n), Some(Value::Int(v))) => Some(n > v),
        (Op::Lt, Answer::Int(n), Some(Value::Int(v))) => Some(n < v),
        (Op::In, Answer::Choice(c), _) => Some(
            t.values
                .iter()
                .any(|(v, _)| matches!(v, Value::Ident(x) if x == c)),
        ),
        (Op::In, Answer::Int(n), _) => Some(
            t.values
                .iter()
                .any(|(v, _)| matches!(v, Value::Int(x) if x == n)),
        ),
        (Op::In, Answer::Multi(m), _) => Some(
            t.values
                .iter()
                .any(|(v, _)| matches!(v, Value::Ident(x) if m.contains(x))),
        ),
        _ => None,
    };
    // An answer of the wrong kind (e.g. a stale project) cannot decide the test.
    r.map_or(Truth::Unknown, Truth::from_bool)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(q: &str) -> Option<QuestionInfo<'static>> {
        match q {
            "has_ota" => Some(QuestionInfo {
                kind: QuestionKind::Bool,
                options: vec![],
            }),
            "platform_level" => Some(QuestionInfo {
                kind: QuestionKind::Int,
                options: vec![],
            }),
            "enterprise_type" => Some(QuestionInfo {
                kind: QuestionKind::Multi,
                options: vec!["OEM", "PLT", "TER"],
            }),
            _ => None,
        }
    }

    fn answers(q: &str) -> Option<Answer> {
        match q {
            "has_ota" => Some(Answer::Bool(false)),
            "platform_level" => Some(Answer::Int(3)),
            "enterprise_type" => Some(Answer::Multi(vec!["PLT".into()])),
            _ => None,
        }
    }

    #[test]
    fn parses_and_evaluates() {
        let c = Condition::parse("platform_level >= 3 and enterprise_type in [OEM, PLT]").unwrap();
        assert!(c.check(&info).is_empty());
        assert_eq!(c.eval(&answers), Truth::True);
        let c = Condition::parse("has_ota or platform_level < 2").unwrap();
        assert_eq!(c.eval(&answers), Truth::False);
        let c = Condition::parse("not (has_ota) and enterprise_type in [OEM]").unwrap();
        assert_eq!(c.eval(&answers), Truth::False);
        let c = Condition::parse("not has_ota").unwrap();
        assert_eq!(c.eval(&answers), Truth::True);
        assert_eq!(c.questions(), vec!["has_ota"]);
    }

    #[test]
    fn unanswered_is_unknown_not_false() {
        let c = Condition::parse("pilot_participant and has_ota").unwrap();
        assert_eq!(c.eval(&answers), Truth::False); // has_ota is false: decided
        let c = Condition::parse("pilot_participant or has_ota").unwrap();
        assert_eq!(c.eval(&answers), Truth::Unknown);
    }

    #[test]
    fn reports_errors_with_spans() {
        let e = Condition::parse("has_ota and").unwrap_err();
        assert_eq!(e.span, 11..11);
        let e = Condition::parse("has_ota = 1").unwrap_err();
        assert_eq!(e.span, 8..9);
        let e = Condition::parse("has_ota 有").unwrap_err();
        assert_eq!(e.span.start, 8);
        let c =
            Condition::parse("enterprise_type in [OEM, XYZ] and nope and platform_level").unwrap();
        let errs = c.check(&info);
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert_eq!(errs[0].span, 25..28);
        assert_eq!(errs[1].span, 34..38);
        assert_eq!(errs[2].span, 43..57);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        // Run on a small stack: the limit must hold wherever a pack is read.
        let t = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(|| {
                let ok = format!("{}has_ota{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
                assert!(Condition::parse(&ok).is_ok());
                let nots = format!("{}has_ota", "not ".repeat(MAX_DEPTH));
                assert!(Condition::parse(&nots).is_ok());
                let deep = format!("{}has_ota{}", "(".repeat(20_000), ")".repeat(20_000));
                let e = Condition::parse(&deep).unwrap_err();
                assert_eq!(e.span, MAX_DEPTH..MAX_DEPTH + 1);
                assert!(e.message.en.contains("nests too deeply"), "{e:?}");
                let e = Condition::parse(&"not ".repeat(10_000)).unwrap_err();
                assert!(e.message.en.contains("nests too deeply"), "{e:?}");
                let e = Condition::parse(&"a or ".repeat(20_000)).unwrap_err();
                assert!(e.message.en.contains("too long"), "{e:?}");
            })
            .unwrap();
        t.join().unwrap();
    }
}
