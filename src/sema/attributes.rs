//! Validation of smoothing attributes into [`SiteAttrs`].
//!
//! The parser accepts any `#[name(args)]`; this module knows the attributes
//! of the language and what each takes:
//!
//! * `#[relax(FAMILY?, scale = R, network = "odd_even"|"bitonic",
//!   tnorm = "product"|"godel"|"lukasiewicz", max = "softmax"|"logsumexp")]`
//! * `#[hard]`
//! * `#[stochastic(FAMILY?, scale = R, estimator = "score"|"straight_through"|"perturb")]`
//! * `#[bound(N)]`, only before a `while`
//!
//! Unknown names, families, keys and values are errors that list the valid
//! ones. Two modes on one site conflict; the same attribute, family or key
//! twice is an error rather than a silent override.

use crate::syntax::ast::{AttrArg, AttrValue, AttrValueKind, Attribute};
use crate::syntax::span::Span;

use super::attrs::{Estimator, FamilyName, MaxRelaxation, Network, SiteAttrs, SiteMode, TNorm};
use super::error::SemaError;
use super::scope::suggest;

/// What the attributes stand before; decides where `#[bound]` may go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrPlace {
    /// A `while` statement.
    While,
    /// Any other statement, described for `BoundMisplaced` ("a `for` loop").
    Stmt(&'static str),
    /// An expression.
    Expr,
    /// `#![..]` at the top of a file.
    File,
}

impl AttrPlace {
    fn description(self) -> &'static str {
        match self {
            AttrPlace::While => "a `while` loop",
            AttrPlace::Stmt(what) => what,
            AttrPlace::Expr => "an expression",
            AttrPlace::File => "the file",
        }
    }
}

/// The attribute names, as listed in "unknown attribute" errors.
const ATTRIBUTES: [&str; 4] = ["relax", "hard", "stochastic", "bound"];

const RELAX_KEYS: [&str; 4] = ["scale", "network", "tnorm", "max"];
const STOCHASTIC_KEYS: [&str; 2] = ["scale", "estimator"];

const RELAX_USAGE: &str =
    "`#[relax(FAMILY, scale = R, network = \"...\", tnorm = \"...\", max = \"...\")]`";
const STOCHASTIC_USAGE: &str = "`#[stochastic(FAMILY, scale = R, estimator = \"...\")]`";
const HARD_USAGE: &str = "`#[hard]`";
const BOUND_USAGE: &str = "`#[bound(N)]` with N a positive int literal";

const NETWORKS: [(&str, Network); 2] = [
    ("odd_even", Network::OddEven),
    ("bitonic", Network::Bitonic),
];
const MAX_RELAXATIONS: [(&str, MaxRelaxation); 2] = [
    ("softmax", MaxRelaxation::Softmax),
    ("logsumexp", MaxRelaxation::LogSumExp),
];
const TNORMS: [(&str, TNorm); 3] = [
    ("product", TNorm::Product),
    ("godel", TNorm::Godel),
    ("lukasiewicz", TNorm::Lukasiewicz),
];
const ESTIMATORS: [(&str, Estimator); 3] = [
    ("score", Estimator::Score),
    ("straight_through", Estimator::StraightThrough),
    ("perturb", Estimator::Perturb),
];

/// Validates the attributes of one site. `None` if any of them is wrong (the
/// errors are pushed); an empty list gives empty `SiteAttrs`.
pub fn validate(
    attrs: &[Attribute],
    place: AttrPlace,
    errors: &mut Vec<SemaError>,
) -> Option<SiteAttrs> {
    let errors_before = errors.len();
    let mut validator = Validator {
        place,
        errors,
        out: SiteAttrs::default(),
        mode_from: None,
        bound_from: None,
        family_from: None,
        keys_seen: Vec::new(),
    };
    for attr in attrs {
        validator.attribute(attr);
    }
    let out = validator.out;
    (errors.len() == errors_before).then_some(out)
}

struct Validator<'e> {
    place: AttrPlace,
    errors: &'e mut Vec<SemaError>,
    out: SiteAttrs,
    /// The attribute that set the mode, for conflicts.
    mode_from: Option<(String, Span)>,
    /// The `#[bound]` seen, for duplicates.
    bound_from: Option<Span>,
    /// The family word seen, for duplicates.
    family_from: Option<Span>,
    /// The keys seen on this site, for duplicates.
    keys_seen: Vec<(String, Span)>,
}

impl Validator<'_> {
    fn attribute(&mut self, attr: &Attribute) {
        let name = attr.name.name.as_str();
        match name {
            "relax" | "hard" | "stochastic" => {
                let mode = match name {
                    "relax" => SiteMode::Relaxed,
                    "hard" => SiteMode::Hard,
                    _ => SiteMode::Stochastic,
                };
                self.set_mode(mode, attr);
                match mode {
                    SiteMode::Hard => {
                        if attr.args.as_ref().is_some_and(|args| !args.is_empty()) {
                            self.errors.push(SemaError::AttributeArguments {
                                span: attr.span,
                                attr: name.to_string(),
                                usage: HARD_USAGE,
                            });
                        }
                    }
                    SiteMode::Relaxed => self.arguments(attr, &RELAX_KEYS, RELAX_USAGE),
                    SiteMode::Stochastic => {
                        self.arguments(attr, &STOCHASTIC_KEYS, STOCHASTIC_USAGE)
                    }
                }
            }
            "bound" => self.bound(attr),
            _ => self.errors.push(SemaError::UnknownAttribute {
                span: attr.name.span,
                name: name.to_string(),
                valid: ATTRIBUTES.to_vec(),
                suggestion: suggest(name, ATTRIBUTES),
            }),
        }
    }

    fn set_mode(&mut self, mode: SiteMode, attr: &Attribute) {
        let name = attr.name.name.clone();
        match &self.mode_from {
            Some((first_name, first)) if *first_name == name => {
                self.errors.push(SemaError::DuplicateAttribute {
                    span: attr.span,
                    what: format!("`#[{name}]`"),
                    first: *first,
                });
            }
            Some((first_name, first)) => {
                self.errors.push(SemaError::ConflictingModes {
                    span: attr.span,
                    first: *first,
                    first_name: first_name.clone(),
                    second_name: name,
                });
            }
            None => {
                self.mode_from = Some((name, attr.span));
                self.out.mode = Some(mode);
            }
        }
    }

    fn bound(&mut self, attr: &Attribute) {
        if self.place != AttrPlace::While {
            self.errors.push(SemaError::BoundMisplaced {
                span: attr.span,
                target: self.place.description(),
            });
            return;
        }
        if let Some(first) = self.bound_from {
            self.errors.push(SemaError::DuplicateAttribute {
                span: attr.span,
                what: "`#[bound]`".to_string(),
                first,
            });
            return;
        }
        self.bound_from = Some(attr.span);
        let value = match attr.args.as_deref() {
            Some(
                [
                    AttrArg::Value(AttrValue {
                        kind: AttrValueKind::Int(value),
                        span,
                    }),
                ],
            ) => Some((*value, *span)),
            _ => None,
        };
        match value {
            Some((value, _)) if value > 0 => self.out.bound = Some(value as u64),
            Some((_, span)) => self.errors.push(SemaError::BoundNotPositive { span }),
            None => self.errors.push(SemaError::AttributeArguments {
                span: attr.span,
                attr: "bound".to_string(),
                usage: BOUND_USAGE,
            }),
        }
    }

    /// The arguments of `relax` or `stochastic`.
    fn arguments(&mut self, attr: &Attribute, keys: &[&'static str], usage: &'static str) {
        let attr_name = attr.name.name.as_str();
        for arg in attr.args.iter().flatten() {
            match arg {
                AttrArg::Word(word) if keys.contains(&word.name.as_str()) => {
                    // `#[relax(scale)]`: a key without its value.
                    self.errors.push(SemaError::AttributeArguments {
                        span: word.span,
                        attr: attr_name.to_string(),
                        usage,
                    });
                }
                AttrArg::Word(word) => match FamilyName::from_name(&word.name) {
                    Some(family) => {
                        if let Some(first) = self.family_from {
                            self.errors.push(SemaError::DuplicateAttribute {
                                span: word.span,
                                what: "a family".to_string(),
                                first,
                            });
                        } else {
                            self.family_from = Some(word.span);
                            self.out.family = Some(family);
                        }
                    }
                    None => self.errors.push(SemaError::UnknownFamily {
                        span: word.span,
                        name: word.name.clone(),
                        suggestion: suggest(
                            &word.name,
                            FamilyName::ALL.iter().map(|family| family.name()),
                        ),
                    }),
                },
                AttrArg::Value(value) => self.errors.push(SemaError::AttributeArguments {
                    span: value.span,
                    attr: attr_name.to_string(),
                    usage,
                }),
                AttrArg::KeyValue { key, value, span } => {
                    if !keys.contains(&key.name.as_str()) {
                        self.errors.push(SemaError::UnknownAttributeKey {
                            span: key.span,
                            attr: attr_name.to_string(),
                            key: key.name.clone(),
                            valid: keys.to_vec(),
                        });
                        continue;
                    }
                    if let Some((_, first)) =
                        self.keys_seen.iter().find(|(seen, _)| *seen == key.name)
                    {
                        self.errors.push(SemaError::DuplicateAttribute {
                            span: *span,
                            what: format!("`{}`", key.name),
                            first: *first,
                        });
                        continue;
                    }
                    self.keys_seen.push((key.name.clone(), *span));
                    self.key_value(attr_name, &key.name, value);
                }
            }
        }
    }

    fn key_value(&mut self, attr: &str, key: &str, value: &AttrValue) {
        match key {
            "scale" => {
                let scale = match value.kind {
                    AttrValueKind::Int(value) => value as f64,
                    AttrValueKind::Real(value) => value,
                    AttrValueKind::Str(_) => {
                        self.invalid_value(attr, key, value, vec!["a positive number".to_string()]);
                        return;
                    }
                };
                if scale > 0.0 && scale.is_finite() {
                    self.out.scale = Some(scale);
                } else {
                    self.errors
                        .push(SemaError::ScaleNotPositive { span: value.span });
                }
            }
            "network" => self.out.network = self.choice(attr, key, value, &NETWORKS),
            "tnorm" => self.out.tnorm = self.choice(attr, key, value, &TNORMS),
            "max" => self.out.max = self.choice(attr, key, value, &MAX_RELAXATIONS),
            _ => self.out.estimator = self.choice(attr, key, value, &ESTIMATORS),
        }
    }

    /// A string value that must be one of `choices`.
    fn choice<T: Copy>(
        &mut self,
        attr: &str,
        key: &str,
        value: &AttrValue,
        choices: &[(&str, T)],
    ) -> Option<T> {
        let found = match &value.kind {
            AttrValueKind::Str(text) => choices
                .iter()
                .find(|(name, _)| name == text)
                .map(|(_, choice)| *choice),
            AttrValueKind::Int(_) | AttrValueKind::Real(_) => None,
        };
        if found.is_none() {
            let valid = choices
                .iter()
                .map(|(name, _)| format!("\"{name}\""))
                .collect();
            self.invalid_value(attr, key, value, valid);
        }
        found
    }

    fn invalid_value(&mut self, attr: &str, key: &str, value: &AttrValue, valid: Vec<String>) {
        let found = match &value.kind {
            AttrValueKind::Str(text) => format!("\"{text}\""),
            AttrValueKind::Int(value) => value.to_string(),
            AttrValueKind::Real(value) => format!("{value:?}"),
        };
        self.errors.push(SemaError::InvalidAttributeValue {
            span: value.span,
            attr: attr.to_string(),
            key: key.to_string(),
            found,
            valid,
        });
    }
}
