//! Function signatures as the source writes them, for `smoothc check --list`.

use super::tast::{Scalar, Size, TFn, Type};

/// `fn name(x: real[n], k: int) -> real`
pub fn signature(tfn: &TFn) -> String {
    let params: Vec<String> = tfn
        .params
        .iter()
        .map(|local| {
            let info = tfn.local(*local);
            format!("{}: {}", info.name, type_text(&info.ty, tfn))
        })
        .collect();
    format!(
        "fn {}({}) -> {}",
        tfn.name,
        params.join(", "),
        type_text(&tfn.ret, tfn)
    )
}

/// A type in source syntax, sizes by name.
pub fn type_text(ty: &Type, tfn: &TFn) -> String {
    let scalar = |scalar: Scalar| match scalar {
        Scalar::Real => "real",
        Scalar::Int => "int",
        Scalar::Bool => "bool",
    };
    match ty {
        Type::Scalar(s) => scalar(*s).to_string(),
        Type::Unit => "()".to_string(),
        Type::Array { elem, dims } => {
            let dims: Vec<String> = dims
                .iter()
                .map(|dim| match dim {
                    Size::Const(value) => value.to_string(),
                    Size::Var(id) => tfn.size_vars[id.0 as usize].name.clone(),
                    Size::Poly(_) => dim.display(&|id| tfn.size_vars[id.0 as usize].name.clone()),
                })
                .collect();
            format!("{}[{}]", scalar(*elem), dims.join(", "))
        }
    }
}
