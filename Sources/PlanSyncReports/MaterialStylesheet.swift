/// The inline stylesheet of a material's HTML page. Logical properties (`inline-start`, `text-align: start`) make
/// one stylesheet serve left-to-right and right-to-left pages, and an English passage inside an Arabic page.
enum MaterialStylesheet {
    static var css: String { base + marks + print }

    private static let base = """

        :root { color-scheme: light; --ink: #1f2328; --muted: #57606a; --line: #d0d7de; --head: #f3f4f6; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #ffffff; color: var(--ink); font: 15px/1.55 "DejaVu Sans", "Noto Sans", \
        "Segoe UI", Arial, sans-serif; }
        main { max-width: 860px; margin: 0 auto; padding: 28px 32px 48px; }
        header { margin-bottom: 18px; }
        h1 { font-size: 28px; line-height: 1.25; margin: 0 0 8px; }
        h2 { font-size: 21px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
        h3 { font-size: 17px; margin: 22px 0 8px; }
        h4, h5, h6 { font-size: 15px; margin: 18px 0 6px; }
        p, ul, ol, blockquote, table { margin: 0 0 12px; }
        ul, ol { padding-inline-start: 26px; }
        li { margin-bottom: 4px; }
        blockquote { margin-inline: 0; padding-inline-start: 14px; border-inline-start: 4px solid var(--line); \
        color: var(--muted); }
        table { border-collapse: collapse; width: 100%; }
        th, td { border: 1px solid var(--line); padding: 6px 9px; text-align: start; vertical-align: top; }
        th { background: var(--head); font-weight: 600; }
        code { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; background: var(--head); \
        padding: 0 4px; border-radius: 3px; }
        a { color: #0b5cad; }
        .meta { color: var(--muted); margin: 0 0 8px; }
        .legend { color: var(--muted); font-size: 13px; font-style: italic; border-inline-start: 4px solid var(--line); \
        padding-inline-start: 10px; }

        """

    /// The three marks differ in colour and in border style, so they stay apart in grey print and for readers
    /// who do not tell the colours apart; every text keeps a contrast above 8:1 (WCAG AA asks 4.5:1).
    private static let marks = """
        .mark { display: inline-block; margin-inline-end: 6px; padding: 0 6px; border: 1px solid; border-radius: 4px; \
        font-size: 12px; font-style: normal; font-weight: 600; line-height: 1.5; vertical-align: 0.1em; \
        white-space: nowrap; }
        .mark.fallback { color: #7c2d12; background: #fff7ed; border-color: #c2410c; }
        .mark.stale { color: #1e3a8a; background: #eff6ff; border-color: #1d4ed8; border-style: dashed; }
        .mark.conflict { color: #701a75; background: #fdf4ff; border-color: #a21caf; border-style: double; border-width: 3px; }

        """

    private static let print = """
        @page { margin: 15mm; }
        @media print {
        body { font-size: 11pt; }
        main { max-width: none; padding: 0; }
        h1, h2, h3, h4, h5, h6 { break-after: avoid; }
        li, tr, blockquote { break-inside: avoid; }
        thead { display: table-header-group; }
        a { color: inherit; }
        a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 0.85em; color: var(--muted); }
        * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }

        """
}
