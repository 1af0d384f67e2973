import PlanSyncReports

/// The pages' inline stylesheet: the consolidated report's (its type, tables and status colours, whose
/// contrast is checked), and the few rules of the pages' own parts. Logical properties serve both directions;
/// nothing is fetched.
enum PageStylesheet {
    static let css =
        ConsolidatedReport.stylesheet + """

            body { overflow-wrap: anywhere; }
            header.site { background: var(--head); border-bottom: 1px solid var(--line); padding: 8px 16px; }
            header.site nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; \
            gap: 4px 16px; }
            header.site a { color: #0b4f9c; }
            header.site a[aria-current] { font-weight: 700; color: var(--ink); }
            header.site .languages { margin-top: 4px; font-size: 13px; }
            form.inline { display: inline; }
            form.sync { margin-top: 4px; }
            label { display: block; font-weight: 600; margin: 10px 0 4px; }
            input[type=text], input[type=password], select, textarea { font: inherit; padding: 6px; min-width: 16em; \
            max-width: 100%; border: 1px solid #6e7781; border-radius: 4px; }
            textarea { width: 100%; min-height: 5em; }
            button { font: inherit; padding: 6px 14px; border: 1px solid #0b4f9c; background: #0b4f9c; color: #ffffff; \
            border-radius: 4px; cursor: pointer; margin: 4px 0; }
            button.secondary { background: #ffffff; color: #0b4f9c; }
            a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #bf8700; \
            outline-offset: 1px; }
            p.flash { background: #dafbe1; border: 1px solid #116329; padding: 8px 12px; }
            p.error { background: #ffebe9; border: 1px solid #a40e26; padding: 8px 12px; color: #6e0b1b; }
            section.decision { border: 1px solid var(--line); border-radius: 6px; padding: 8px 16px; margin: 14px 0; }
            ol.candidates { display: flex; flex-wrap: wrap; gap: 12px; padding: 0; list-style: none; }
            ol.candidates li { flex: 1 1 16em; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
            ol.candidates pre, .value pre { white-space: pre-wrap; font: inherit; margin: 0 0 6px; }
            dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 4px 0; }
            dl.meta dt { grid-column: 1; } dl.meta dd { grid-column: 2; margin: 0; }
            ul.activities { padding-inline-start: 18px; }
            ul.activities li { margin: 6px 0; }
            .scroll { overflow-x: auto; }
            @media (max-width: 600px) { main { padding: 12px; } input[type=text], select { min-width: 0; \
            width: 100%; } }
            """
}
