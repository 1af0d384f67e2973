import Foundation
import PlanSyncTestSupport

/// The external tools the report tests drive: `python3` (its `csv` module, a PNG reader) and Debian's
/// `chromium`. A missing tool fails the test with the command that installs it; it never skips the test.
enum Tools {
    /// Throws a clear failure when `tool` is not on the PATH.
    static func require(_ tool: String, install: String) throws {
        let found = try runTool("sh", ["-c", "command -v \(tool)"])
        guard found.status == 0 else {
            throw ToolFailure("\(tool) is not installed and this test needs it: run '\(install)'")
        }
    }

    /// Runs a Python program with arguments and returns what it printed.
    static func python(_ program: String, _ arguments: [String]) throws -> String {
        try require("python3", install: "apt-get install -y python3")
        let result = try runTool("python3", ["-c", program] + arguments)
        guard result.status == 0 else { throw ToolFailure("python3 failed: \(result)") }
        return result.stdout
    }

    /// Opens an HTML file in headless Chromium and returns the path of its 1200×1600 screenshot.
    static func screenshot(of html: String, in directory: TemporaryDirectory) throws -> String {
        try require("chromium", install: "apt-get install -y chromium")
        let png = html + ".png"
        // A profile of its own, so parallel runs do not hand the page to each other's browser.
        let result = try runTool(
            "timeout",
            [
                "180", "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--user-data-dir=\(directory.file("profile-\(UUID().uuidString)"))", "--screenshot=\(png)",
                "--window-size=1200,1600", URL(fileURLWithPath: html).absoluteString,
            ])
        guard result.status == 0, FileManager.default.fileExists(atPath: png) else {
            throw ToolFailure("chromium did not write \(png): \(result)")
        }
        return png
    }

    /// A PNG's size and how many of its pixels have each of the given `#rrggbb` colours, read with Python's
    /// standard library only (zlib and struct), so no imaging package is needed.
    static func pixels(in png: String, colours: [String]) throws -> PixelCount {
        let output = try python(pngReader, [png] + colours)
        return try JSONDecoder().decode(PixelCount.self, from: Data(output.utf8))
    }

    struct PixelCount: Decodable {
        var width: Int
        var height: Int
        var counts: [String: Int]
    }

    /// Where a PNG has ink, row by row: the x of the first and last pixel darker than `darkerThan` in every
    /// channel, and of the first and last pixel of each given `#rrggbb` colour. Shows where text lies on the page.
    static func rows(in png: String, darkerThan: Int = 100, colours: [String] = []) throws -> PixelRows {
        let output = try python(pngRows, [png, String(darkerThan)] + colours)
        return try JSONDecoder().decode(PixelRows.self, from: Data(output.utf8))
    }

    struct PixelRows: Decodable {
        var width: Int
        var height: Int
        /// Per row, the first and last x of a dark pixel, or nil when the row has none.
        var dark: [Span?]
        /// Per colour, per row, the first and last x of a pixel of that colour.
        var colours: [String: [Span?]]

        struct Span: Decodable {
            var first: Int
            var last: Int

            init(from decoder: any Decoder) throws {
                var pair = try decoder.unkeyedContainer()
                first = try pair.decode(Int.self)
                last = try pair.decode(Int.self)
            }
        }

        /// A run of rows with dark pixels, from `top` to `bottom`, and the leftmost and rightmost dark x in it.
        struct Band {
            var top: Int
            var bottom: Int
            var first: Int
            var last: Int
        }

        /// The dark rows gathered into bands, top to bottom: roughly the lines of dark text. Rows without ink up
        /// to `gap` apart stay in one band, so the dots above and below a line of Arabic belong to it.
        func darkBands(gap: Int = 8) -> [Band] {
            var bands: [Band] = []
            for (y, span) in dark.enumerated() {
                guard let span else { continue }
                if let last = bands.last, y - last.bottom <= gap {
                    bands[bands.count - 1] = Band(
                        top: last.top, bottom: y, first: min(last.first, span.first), last: max(last.last, span.last))
                } else {
                    bands.append(Band(top: y, bottom: y, first: span.first, last: span.last))
                }
            }
            return bands
        }
    }

    /// Decodes 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes) and counts exact colours.
    private static let pngReader =
        pngDecoder + #"""
            path, colours = sys.argv[1], sys.argv[2:]
            width, height, bpp, rows = decode(path)
            targets = {c: bytes.fromhex(c.lstrip("#")) + (b"\xff" if bpp == 4 else b"") for c in colours}
            counts = dict.fromkeys(colours, 0)
            for line in rows:
                for colour, pattern in targets.items():
                    start = line.find(pattern)
                    while start != -1:
                        if start % bpp == 0:
                            counts[colour] += 1
                        start = line.find(pattern, start + 1)
            print(json.dumps({"width": width, "height": height, "counts": counts}))
            """#

    /// The first and last dark or coloured pixel of each row, for `rows(in:)`.
    private static let pngRows =
        pngDecoder + #"""
            path, threshold, colours = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
            width, height, bpp, rows = decode(path)
            targets = {c: bytes.fromhex(c.lstrip("#")) for c in colours}
            dark, spans = [], {c: [] for c in colours}
            def span(xs):
                xs = list(xs)
                return [xs[0], xs[-1]] if xs else None
            for line in rows:
                pixels = [line[x:x + 3] for x in range(0, width * bpp, bpp)]
                dark.append(span(x for x, p in enumerate(pixels) if max(p) < threshold))
                for colour, rgb in targets.items():
                    spans[colour].append(span(x for x, p in enumerate(pixels) if p == rgb))
            print(json.dumps({"width": width, "height": height, "dark": dark, "colours": spans}))
            """#

    /// A PNG decoder in Python's standard library: `decode(path)` gives the size, the bytes per pixel and the
    /// unfiltered rows. It ends with a line break, so a program can follow it.
    private static let pngDecoder = #"""
        import json, struct, sys, zlib
        def decode(path):
            data = open(path, "rb").read()
            if data[:8] != b"\x89PNG\r\n\x1a\n":
                sys.exit("not a PNG")
            pos, idat = 8, bytearray()
            while pos < len(data):
                length, kind = struct.unpack(">I4s", data[pos:pos + 8])
                body = data[pos + 8:pos + 8 + length]
                pos += 12 + length
                if kind == b"IHDR":
                    width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
                elif kind == b"IDAT":
                    idat += body
                elif kind == b"IEND":
                    break
            if depth != 8 or ctype not in (2, 6) or interlace:
                sys.exit("unsupported PNG: depth %d, colour type %d, interlace %d" % (depth, ctype, interlace))
            bpp = 3 if ctype == 2 else 4
            raw = zlib.decompress(bytes(idat))
            stride = width * bpp
            previous = bytearray(stride)
            rows = []
            i = 0
            for _ in range(height):
                kind, row = raw[i], bytearray(raw[i + 1:i + 1 + stride])
                i += 1 + stride
                if kind == 1:
                    for x in range(bpp, stride):
                        row[x] = (row[x] + row[x - bpp]) & 255
                elif kind == 2:
                    row = bytearray((a + b) & 255 for a, b in zip(row, previous))
                elif kind == 3:
                    for x in range(stride):
                        left = row[x - bpp] if x >= bpp else 0
                        row[x] = (row[x] + ((left + previous[x]) >> 1)) & 255
                elif kind == 4:
                    for x in range(stride):
                        a = row[x - bpp] if x >= bpp else 0
                        b = previous[x]
                        c = previous[x - bpp] if x >= bpp else 0
                        p = a + b - c
                        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                        row[x] = (row[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
                rows.append(bytes(row))
                previous = row
            return width, height, bpp, rows

        """#
}

/// A tool the test needs is missing or failed; the message says what to do.
struct ToolFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
