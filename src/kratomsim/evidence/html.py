"""A self-contained HTML page for an audit report: inline styles, no scripts, no external files,
so it can be mailed or archived and still open the same way."""

from __future__ import annotations

from html import escape

from kratomsim.evidence.audit import AuditReport

_COLOURS = {"supported": "#1b7f3b", "mixed": "#9a6700", "unsupported": "#6e7781", "contradicted": "#b42318"}

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#1f2328;line-height:1.45}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:.45rem;
text-align:left;vertical-align:top}th{background:#f6f8fa}
.verdict{font-weight:600;color:#fff;border-radius:.3rem;padding:.1rem .4rem;white-space:nowrap}
.small{font-size:.85rem;color:#57606a}.flag{font-size:.8rem;border:1px solid #8c959f;border-radius:.3rem;
padding:0 .3rem;margin-left:.3rem}
"""


def render_html(report: AuditReport, title: str = "kratomsim claim audit") -> str:
    """The report as one HTML document (UTF-8, no external resources)."""
    data = report.to_dict()
    rows = []
    for m in report.claims:
        flags = "".join(
            f'<span class="flag">{name}</span>' for name, on in (("negated", m.negated), ("hedged", m.hedged)) if on
        )
        colour = _COLOURS.get(m.verdict, "#57606a")
        model = (f"<div class=small>Model evidence: {escape(m.model_evidence['quote'])}</div>"
                 if m.model_evidence and not m.model_prediction else "")
        clause = (f'<div class=small>clause: {escape(m.clause)}</div>'
                  if m.clause and m.clause.rstrip(".") != m.sentence.rstrip(".") else "")
        rows.append(
            "<tr>"
            f"<td>{escape(m.sentence)}{flags}{clause}</td>"
            f"<td><code>{escape(m.claim_id)}</code><div class=small>{escape(m.rationale)}</div>"
            + (f"<div class=small>{escape(m.model_prediction)}</div>" if m.model_prediction else "") + "</td>"
            f'<td><span class="verdict" style="background:{colour}">{escape(m.verdict)}</span>'
            f'<div class=small>{escape(m.verdict_text)}</div>{model}</td>'
            f"<td>{m.similarity:.2f}</td>"
            f"<td class=small>{'<br>'.join(escape(s) for s in m.sources)}</td>"
            "</tr>"
        )
    missing = "".join(f"<li>{escape(s)}</li>" for s in report.not_in_catalog) or "<li>none</li>"
    refs = "".join(f"<li><code>{escape(k)}</code>: {escape(v)}</li>" for k, v in data["references"].items())
    return (
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f"<p class=small>{report.sentences} sentences read; {len(report.claims)} matched a catalog claim; "
        f"{len(report.not_in_catalog)} check-worthy sentences match no catalog claim (unmatched). A verdict "
        "grades what the sentence asserts (after negation); it is not advice. Dose instructions are flagged, "
        "never graded: kratomsim never recommends a dose.</p>"
        "<h2>Claims found</h2><table><tr><th>Sentence</th><th>Catalog claim</th><th>Verdict</th>"
        f"<th>Similarity</th><th>Sources</th></tr>{''.join(rows)}</table>"
        f"<h2>Unmatched (check-worthy, no catalog claim)</h2><ul>{missing}</ul>"
        f"<h2>References</h2><ul>{refs or '<li>none</li>'}</ul>"
        "</body></html>\n"
    )
