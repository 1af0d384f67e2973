import Foundation
import PlanSyncReports
import Testing

@Test func scratchExample() throws {
    let fixture = try ReportFixture.example()
    for language in ["en", "ar", "fr"] {
        let report = try fixture.build(language: language)
        try report.html.write(toFile: "/tmp/rep/example-\(language).html", atomically: true, encoding: .utf8)
        try report.markdown.write(toFile: "/tmp/rep/example-\(language).md", atomically: true, encoding: .utf8)
        try report.csv.write(toFile: "/tmp/rep/example-\(language).csv", atomically: true, encoding: .utf8)
    }
}
