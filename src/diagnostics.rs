//! (being written)
pub mod pipeline;

/// One line per smoothing site: `; line:column kind rule`.
pub fn describe_sites(sources: &SourceMap, sites: &[crate::smooth::SmoothingSite]) -> String {
    use codespan_reporting::files::Files;
    let mut out = String::new();
    for site in sites {
        let location = site
            .span
            .and_then(|span| sources.location(span.file, span.start as usize).ok())
            .map(|location| format!("{}:{}", location.line_number, location.column_number))
            .unwrap_or_else(|| "-".to_string());
        out.push_str(&format!("; site {location} {}: {}\n", site.kind.name(), site.rule));
    }
    out
}
