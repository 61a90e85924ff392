import Foundation

/// The items of one channel or thread as the core builds them (day
/// separators, the new-messages line, system sentences, posts with their
/// send state), kept up to date by the core's diffs, with older pages
/// loaded on demand.
@MainActor
final class TimelineModel: ObservableObject {
    @Published private(set) var items: [TimelineItem] = []
    @Published private(set) var older: OlderPosts = .cached
    @Published private(set) var loaded = false
    @Published var error: String?

    private var timeline: Timeline?
    private var watch: TaskHandle?
    private var loadingOlder = false

    func open(_ client: Client, target: TimelineTarget) async {
        guard timeline == nil else { return }
        do {
            let options = TimelineOptions(timeZone: nil, locale: SharedContainer.locale, pageSize: 50)
            let timeline = try await client.openTimeline(target: target, options: options)
            self.timeline = timeline
            watch = try timeline.subscribe(listener: TimelineItemsRelay(
                whole: { [weak self] whole in
                    guard let self else { return }
                    self.items = whole.items
                    self.older = whole.older
                    self.loaded = true
                    if whole.neverLoaded {
                        self.loadOlder()
                    }
                },
                diff: { [weak self] diff in
                    guard let self else { return }
                    self.items.apply(diff.items.map(\.step))
                    self.older = diff.older
                },
                failed: { [weak self] failure in self?.error = describe(failure) }))
        } catch {
            self.error = describe(error)
        }
    }

    func close() {
        watch?.cancel()
        watch = nil
        timeline = nil
    }

    func loadOlder() {
        guard let timeline, !loadingOlder, older != .none else { return }
        loadingOlder = true
        Task {
            defer { loadingOlder = false }
            do {
                // Through the items' own paging, so the page arrives as a diff.
                _ = try await timeline.paginateBackwards()
            } catch {
                if !isOffline(error) {
                    self.error = describe(error)
                }
            }
        }
    }
}
