//! Arguments from JSON and results to JSON or text, for the CLI and for
//! scripts that embed smoothc.
//!
//! Arguments are a JSON object mapping each parameter name to a number
//! (`real`, `int`), a bool, or nested arrays of them (`real[n]`,
//! `int[n, m]`, ...). Results print as numbers or nested arrays;
//! stochastic estimates add their standard errors (`null` where unknown:
//! with a single sample) and the number of samples.

use crate::Estimate;
use crate::function::{Function, ParamInfo};
use crate::ir::ScalarType;
use crate::runtime::Value;
use ndarray::{ArrayD, IxDyn};
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;

/// The argument list of `function` from a map of names to JSON values.
pub fn arguments_from_json(
    function: &Function,
    values: &BTreeMap<String, Json>,
) -> Result<Vec<Value>, String> {
    for name in values.keys() {
        if !function.params().iter().any(|param| &param.name == name) {
            let expected: Vec<&str> = function
                .params()
                .iter()
                .map(|param| param.name.as_str())
                .collect();
            return Err(format!(
                "error: `{}` has no parameter `{name}` (parameters: {})",
                function.name(),
                expected.join(", ")
            ));
        }
    }
    function
        .params()
        .iter()
        .map(|param| {
            let json = values.get(&param.name).ok_or_else(|| {
                format!(
                    "error: missing argument `{}: {}` (pass it in --args FILE.json or as --arg {}=...)",
                    param.name, param.ty, param.name
                )
            })?;
            value_from_json(param, json)
        })
        .collect()
}

fn value_from_json(param: &ParamInfo, json: &Json) -> Result<Value, String> {
    let wrong = || {
        format!(
            "error: argument `{}` should be {}, got {json}",
            param.name, param.ty
        )
    };
    if param.rank == 0 {
        return match (param.elem, json) {
            (ScalarType::Real, Json::Number(number)) => {
                number.as_f64().map(Value::Real).ok_or_else(wrong)
            }
            (ScalarType::Int, Json::Number(number)) => {
                number.as_i64().map(Value::Int).ok_or_else(wrong)
            }
            (ScalarType::Bool, Json::Bool(value)) => Ok(Value::Bool(*value)),
            _ => Err(wrong()),
        };
    }
    if param.elem != ScalarType::Real {
        return Err(format!(
            "error: arguments of type {} are not supported yet",
            param.ty
        ));
    }
    let mut shape = Vec::new();
    let mut level = json;
    for _ in 0..param.rank {
        let Json::Array(items) = level else {
            return Err(wrong());
        };
        shape.push(items.len());
        match items.first() {
            Some(first) => level = first,
            None => break,
        }
    }
    if shape.len() != param.rank {
        // An empty outer array: the inner extents are zero.
        shape.resize(param.rank, 0);
    }
    let mut leaves = Vec::new();
    flatten(json, param.rank, &shape, &mut leaves).ok_or_else(|| {
        format!(
            "error: argument `{}` should be a rectangular nested array ({})",
            param.name, param.ty
        )
    })?;
    let shape = IxDyn(&shape);
    let converted = match param.elem {
        ScalarType::Real => leaves
            .iter()
            .map(|leaf| leaf.as_f64())
            .collect::<Option<Vec<f64>>>()
            .and_then(|flat| ArrayD::from_shape_vec(shape, flat).ok())
            .map(Value::Array),
        ScalarType::Int => leaves
            .iter()
            .map(|leaf| leaf.as_i64())
            .collect::<Option<Vec<i64>>>()
            .and_then(|flat| ArrayD::from_shape_vec(shape, flat).ok())
            .map(Value::IntArray),
        ScalarType::Bool => leaves
            .iter()
            .map(|leaf| leaf.as_bool())
            .collect::<Option<Vec<bool>>>()
            .and_then(|flat| ArrayD::from_shape_vec(shape, flat).ok())
            .map(Value::BoolArray),
    };
    converted.ok_or_else(wrong)
}

/// Appends the leaves of a nested array of the given shape; `None` when
/// the array is ragged.
fn flatten<'j>(
    json: &'j Json,
    rank: usize,
    shape: &[usize],
    out: &mut Vec<&'j Json>,
) -> Option<()> {
    if rank == 0 {
        out.push(json);
        return Some(());
    }
    let items = json.as_array()?;
    if items.len() != shape[0] {
        return None;
    }
    for item in items {
        flatten(item, rank - 1, &shape[1..], out)?;
    }
    Some(())
}

/// A value as JSON: numbers or nested arrays (non-finite reals as null).
pub fn value_to_json(value: &Value) -> Json {
    match value {
        Value::Real(real) => real_to_json(*real),
        Value::Int(int) => Json::from(*int),
        Value::Bool(boolean) => Json::Bool(*boolean),
        Value::Array(array) => nested(array.view(), &|x| real_to_json(*x)),
        Value::IntArray(array) => nested(array.view(), &|x| Json::from(*x)),
        Value::BoolArray(array) => nested(array.view(), &|x| Json::Bool(*x)),
    }
}

fn real_to_json(real: f64) -> Json {
    serde_json::Number::from_f64(real)
        .map(Json::Number)
        .unwrap_or(Json::Null)
}

/// A nested JSON array of `leaf(element)`, one level per dimension.
fn nested<T>(array: ndarray::ArrayViewD<'_, T>, leaf: &dyn Fn(&T) -> Json) -> Json {
    if array.ndim() == 0 {
        return array.iter().next().map(leaf).unwrap_or(Json::Null);
    }
    Json::Array(
        array
            .outer_iter()
            .map(|row| nested(row.into_dyn(), leaf))
            .collect(),
    )
}

/// `{"value": V}` or `{"value": V, "grad": {"x": G, ...}}`.
pub fn result_to_json(value: &Value, grads: Option<&[Value]>, real_names: &[String]) -> String {
    let mut object = Map::new();
    let _ = object.insert("value".to_string(), value_to_json(value));
    if let Some(grads) = grads {
        let mut grad_object = Map::new();
        for (name, grad) in real_names.iter().zip(grads) {
            let _ = grad_object.insert(name.clone(), value_to_json(grad));
        }
        let _ = object.insert("grad".to_string(), Json::Object(grad_object));
    }
    Json::Object(object).to_string()
}

/// The same for people: one line for the value, one per gradient.
pub fn result_to_text(value: &Value, grads: Option<&[Value]>, real_names: &[String]) -> String {
    let mut out = format!("value: {}\n", value_to_json(value));
    if let Some(grads) = grads {
        out.push_str("grad:\n");
        for (name, grad) in real_names.iter().zip(grads) {
            out.push_str(&format!("  {name}: {}\n", value_to_json(grad)));
        }
    }
    out
}

/// A stochastic estimate: `{"value": V, "value_stderr": E, "samples": K}`,
/// plus `"grad"` and `"grad_stderr"` objects (one entry per real
/// parameter) when the estimate has a gradient.
pub fn estimate_to_json(estimate: &Estimate, real_names: &[String]) -> String {
    let mut object = Map::new();
    let _ = object.insert("value".to_string(), value_to_json(&estimate.value));
    let _ = object.insert(
        "value_stderr".to_string(),
        value_to_json(&estimate.value_stderr),
    );
    if !estimate.grad.is_empty() {
        let named = |values: &[Value]| {
            let entries = real_names
                .iter()
                .zip(values)
                .map(|(name, value)| (name.clone(), value_to_json(value)));
            Json::Object(entries.collect())
        };
        let _ = object.insert("grad".to_string(), named(&estimate.grad));
        let _ = object.insert("grad_stderr".to_string(), named(&estimate.grad_stderr));
    }
    let _ = object.insert("samples".to_string(), Json::from(estimate.samples));
    Json::Object(object).to_string()
}

/// The same for people: each mean followed by `± ` and its standard error,
/// then the number of samples.
pub fn estimate_to_text(estimate: &Estimate, real_names: &[String]) -> String {
    let mut out = format!(
        "value: {} ± {}\n",
        value_to_json(&estimate.value),
        value_to_json(&estimate.value_stderr)
    );
    if !estimate.grad.is_empty() {
        out.push_str("grad:\n");
        let rows = real_names
            .iter()
            .zip(&estimate.grad)
            .zip(&estimate.grad_stderr);
        for ((name, grad), stderr) in rows {
            out.push_str(&format!(
                "  {name}: {} ± {}\n",
                value_to_json(grad),
                value_to_json(stderr)
            ));
        }
    }
    out.push_str(&format!(
        "samples: {} (± one standard error)\n",
        estimate.samples
    ));
    out
}
