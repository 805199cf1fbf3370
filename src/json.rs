//! Arguments from JSON and results to JSON or text, for the CLI and for
//! scripts that embed smoothc.
//!
//! Arguments are a JSON object mapping each parameter name to a number
//! (`real`, `int`), a bool, or nested arrays of numbers (`real[n]`,
//! `real[n, m]`). Results print as numbers or nested arrays.

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
    let mut flat = Vec::new();
    flatten(json, param.rank, &shape, &mut flat).ok_or_else(|| {
        format!(
            "error: argument `{}` should be a rectangular nested array of numbers ({})",
            param.name, param.ty
        )
    })?;
    ArrayD::from_shape_vec(IxDyn(&shape), flat)
        .map(Value::Array)
        .map_err(|_| wrong())
}

/// Appends the numbers of a nested array of the given shape; `None` when
/// the array is ragged or holds something else.
fn flatten(json: &Json, rank: usize, shape: &[usize], out: &mut Vec<f64>) -> Option<()> {
    if rank == 0 {
        out.push(json.as_f64()?);
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
        Value::Array(array) => array_to_json(array.view()),
    }
}

fn real_to_json(real: f64) -> Json {
    serde_json::Number::from_f64(real)
        .map(Json::Number)
        .unwrap_or(Json::Null)
}

fn array_to_json(array: ndarray::ArrayViewD<'_, f64>) -> Json {
    if array.ndim() == 0 {
        return real_to_json(array.iter().next().copied().unwrap_or(f64::NAN));
    }
    Json::Array(
        array
            .outer_iter()
            .map(|row| array_to_json(row.into_dyn()))
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
