import Foundation
import PlanSyncCore
import Prometheus
import Synchronization

/// What `GET /metrics` reports, in the Prometheus text format: counters of what moved through this process,
/// and, read from the store at each scrape, the figures that live in the data (open decisions, held edits,
/// store size, each office's last sync).
///
/// Requests by route and status and their latency come from Hummingbird's `MetricsMiddleware` through
/// swift-metrics, once the process bootstraps it with `factory` (names as in `renamed`).
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let pushedRecords: Prometheus.Counter
    let changedRecords: Prometheus.Counter
    let pushedBytes: Prometheus.Counter
    let pulledRecords: Prometheus.Counter
    let pulledBytes: Prometheus.Counter
    let storeRecords: Gauge
    let storeBytes: Gauge
    let openDecisions: Gauge
    let heldEdits: Gauge
    /// When each replica's last sync was noted in the store, and whether with a pull, so that a sync of many
    /// pages writes once.
    private let noted = Mutex<[ReplicaID: (time: UInt64, pulling: Bool)]>([:])

    /// A sync is noted in the store at most this often per replica (milliseconds), with the cursor its pull
    /// started from: a cursor noted a sync late only delays compaction.
    public static let noteInterval: UInt64 = 5_000

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        pushedRecords = registry.makeCounter(
            descriptor: Self.named("plansync_push_records_total", "Records received in accepted pushes."))
        changedRecords = registry.makeCounter(
            descriptor: Self.named(
                "plansync_push_changed_records_total", "Pushed records that changed what the server holds."))
        pushedBytes = registry.makeCounter(
            descriptor: Self.named(
                "plansync_push_bytes_total", "Bytes of push request bodies, as sent (gzip-compressed or not)."))
        pulledRecords = registry.makeCounter(
            descriptor: Self.named(
                "plansync_pull_records_total", "Changes served in pull pages (a replica's own ones included)."))
        pulledBytes = registry.makeCounter(
            descriptor: Self.named("plansync_pull_bytes_total", "Bytes of pull pages and push answers, as sent."))
        storeRecords = registry.makeGauge(
            descriptor: Self.named("plansync_store_records", "Records held, deleted ones included."))
        storeBytes = registry.makeGauge(descriptor: Self.named("plansync_store_bytes", "Size of the store on disk."))
        openDecisions = registry.makeGauge(
            descriptor: Self.named("plansync_open_decisions", "Conflicts and pending held edits waiting on someone."))
        heldEdits = registry.makeGauge(
            descriptor: Self.named(
                "plansync_held_edits", "Offices' edits of approved reports waiting for the central team."))
    }

    /// A metric's whole Prometheus name, with its help line.
    static func named(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// The swift-metrics backend that puts metrics recorded elsewhere (Hummingbird's requests) in `registry`.
    public var factory: PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = Self.renamed
        return factory
    }

    /// Hummingbird's metric and dimension names, as Prometheus names them.
    @Sendable static func renamed(_ name: String, _ labels: [(String, String)]) -> (String, [(String, String)]) {
        let names = [
            "hb.requests": "http_requests_total", "hb.request.errors": "http_request_errors_total",
            "http.server.request.duration": "http_request_duration_seconds",
            "http.server.active_requests": "http_active_requests",
        ]
        let dimensions = [
            "http.route": "route", "http.request.method": "method", "http.response.status_code": "status",
            "error.type": "status",
        ]
        return (names[name] ?? name, labels.map { (dimensions[$0.0] ?? $0.0, $0.1) })
    }

    // MARK: - Recording

    func push(received: Int, changed: Int) {
        pushedRecords.increment(by: Int64(received))
        changedRecords.increment(by: Int64(changed))
    }

    func pushed(bytes: Int) {
        pushedBytes.increment(by: Int64(bytes))
    }

    /// Changes served in a pull page, or the bytes of an answer to a push or a pull.
    func pulled(records: Int = 0, bytes: Int = 0) {
        pulledRecords.increment(by: Int64(records))
        pulledBytes.increment(by: Int64(bytes))
    }

    /// A push refused, by the error code it was answered with (`forbidden`, `unknown_dot`, `too_large`…).
    func refusedPush(_ error: any Error) {
        let reason = (error as? APIError)?.code ?? "internal"
        registry.makeCounter(
            descriptor: Self.named(
                "plansync_push_refused_total", "Pushes refused, by the error code they were answered with."),
            labels: [("reason", reason)]
        ).increment()
    }

    /// Whether a sync of `replica` at `now` should be written to the store: the first in `noteInterval`, or the
    /// first pull in it after a push that asked for no page (the pushes of a sync come before its pull, and a
    /// pull's note is the one that notes the cursor and reads whether the replica was away).
    func shouldNoteSync(of replica: ReplicaID, at now: UInt64, pulling: Bool) -> Bool {
        noted.withLock { noted in
            if let last = noted[replica], now < last.time + Self.noteInterval, last.pulling || !pulling {
                return false
            }
            noted[replica] = (now, pulling)
            return true
        }
    }

    // MARK: - Scraping

    /// The text of a scrape: the figures read from the store set first, then every metric.
    func scrape(census: StoreCensus, offices: [OfficeActivity]) -> String {
        storeRecords.set(Int64(census.records))
        storeBytes.set(Int64(census.bytes))
        openDecisions.set(Int64(census.openDecisions))
        heldEdits.set(Int64(census.heldEdits))
        for office in offices {
            // Seconds since 1970; 0 for an office none of whose replicas ever synced.
            registry.makeGauge(
                descriptor: Self.named(
                    "plansync_office_last_sync_timestamp_seconds",
                    "When any replica of the office last pushed or pulled (0: never)."),
                labels: [("office", office.office)]
            ).set(office.lastSync.map { Double($0) / 1000 } ?? 0)
        }
        return registry.emitToString()
    }
}
