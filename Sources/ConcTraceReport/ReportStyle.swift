/// The page's CSS, inline: a light page, system fonts, charts and tables that print well.
enum ReportStyle {
    static let css = """
        :root { color-scheme: light; }
        body { margin: 0; background: #fff; color: #1d2329; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", \
        Roboto, "DejaVu Sans", sans-serif; }
        main { max-width: 1150px; margin: 0 auto; padding: 20px 24px 48px; }
        h1 { font-size: 24px; margin: 0 0 6px; }
        h2 { font-size: 19px; margin: 34px 0 6px; padding-bottom: 4px; border-bottom: 2px solid #e3e7eb; }
        h3 { font-size: 16px; margin: 24px 0 4px; }
        p.lead, p.explain { color: #4a5560; margin: 4px 0 10px; max-width: 980px; }
        dl.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 4px 18px; \
        margin: 12px 0; padding: 10px 14px; background: #f5f7f9; border-radius: 6px; }
        dl.meta div { min-width: 0; }
        dl.meta dt { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: #66727e; }
        dl.meta dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
        .charts { display: flex; flex-wrap: wrap; gap: 8px 22px; align-items: flex-start; }
        figure { margin: 8px 0; max-width: 560px; }
        figcaption { font-weight: 600; margin-bottom: 2px; }
        svg.chart { display: block; max-width: 100%; height: auto; font-size: 12px; }
        svg.chart text { fill: #333c45; }
        svg.chart text.title, svg.chart text.heading { font-weight: 600; fill: #1d2329; }
        svg.chart text.detail { fill: #66727e; font-size: 11px; }
        svg.chart text.small { font-size: 10.5px; }
        svg.chart text.empty { fill: #8b96a0; font-style: italic; }
        svg.chart text.value { font-size: 11.5px; }
        svg.chart .grid line { stroke: #e6e9ec; stroke-width: 1; }
        svg.chart .axis line, svg.chart line.base { stroke: #7d8790; stroke-width: 1; }
        svg.chart rect.lane { fill: #f6f8fa; }
        svg.chart text.winner { font-weight: 700; fill: #1d2329; }
        svg.chart tspan.n { fill: #66727e; font-size: 10.5px; }
        svg.chart .whisker line { stroke: #1d2329; stroke-width: 1.5; }
        svg.chart .run-end line { stroke: #1d2329; stroke-width: 1; stroke-dasharray: 4 3; }
        svg.chart .run-end text { font-size: 11px; fill: #4a5560; }
        p.caption { color: #4a5560; font-size: 12.5px; margin: 2px 0 8px; }
        section.verdicts h2 { margin-top: 22px; }
        div.verdict { border: 1px solid #d8dee4; border-left: 4px solid #0072B2; border-radius: 6px; \
        padding: 4px 16px 8px; margin: 14px 0 18px; }
        div.verdict h3 { margin-top: 10px; }
        p.answer { font-size: 16px; font-weight: 600; margin: 6px 0; max-width: 1060px; }
        span.badge { display: inline-block; font-size: 11px; font-weight: 700; text-transform: uppercase; \
        letter-spacing: .04em; padding: 2px 7px; border-radius: 10px; margin-right: 6px; vertical-align: 2px; \
        color: #fff; background: #0072B2; }
        span.badge.tie { background: #7F6A00; }
        span.badge.none { background: #8b96a0; }
        div.rule p { margin: 6px 0; max-width: 1060px; }
        dl.meta.small { margin: 6px 0 10px; padding: 6px 12px; grid-template-columns: repeat(auto-fill, \
        minmax(170px, 1fr)); }
        dl.meta.small dd { font-weight: 500; font-size: 13px; }
        p.note { max-width: 1060px; }
        p.caveats-title { font-weight: 600; margin: 8px 0 2px; color: #8a4b00; }
        ul.caveats { margin: 2px 0 8px; padding-left: 20px; color: #8a4b00; max-width: 1060px; }
        .legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 6px 0 4px; font-size: 13px; }
        .legend span { display: inline-flex; align-items: center; gap: 4px; }
        .legend svg { display: inline-block; }
        .legend .note { color: #4a5560; }
        .table-scroll { max-width: 100%; overflow-x: auto; }
        table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13px; font-variant-numeric: tabular-nums; }
        caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
        th, td { padding: 3px 10px; border-bottom: 1px solid #e3e7eb; text-align: left; vertical-align: top; }
        th { background: #f5f7f9; font-weight: 600; }
        td.num, th.num { text-align: right; white-space: nowrap; }
        td.best { font-weight: 700; }
        table.compact th, table.compact td { padding: 3px 7px; }
        table.compact td:first-child, table.compact td:nth-child(2) { white-space: nowrap; }
        td.na { color: #98a2ab; }
        tbody tr:hover { background: #f9fafb; }
        details { margin: 6px 0; }
        summary { cursor: pointer; color: #0b5c99; }
        ul.errors { margin: 6px 0; padding-left: 20px; }
        ul.errors li { margin: 2px 0; }
        .notes { color: #8a4b00; }
        code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
        footer { margin-top: 40px; color: #66727e; font-size: 12px; }
        """
}
