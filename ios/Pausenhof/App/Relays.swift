import Foundation

// The core calls listeners on its own threads; these hand every call to
// the main actor, where the screens' state lives. They keep nothing but
// the closure they were made with, so sharing them between threads is safe
// (hence `@unchecked Sendable`: main-actor closures are not `Sendable` in
// Swift 5).

final class SessionStateRelay: SessionStateListener, @unchecked Sendable {
    private let receive: @MainActor (SessionState) -> Void
    init(_ receive: @escaping @MainActor (SessionState) -> Void) { self.receive = receive }
    func onSessionState(state: SessionState) {
        Task { @MainActor in receive(state) }
    }
}

final class ConnectionStateRelay: ConnectionStateListener, @unchecked Sendable {
    private let receive: @MainActor (ConnectionState) -> Void
    init(_ receive: @escaping @MainActor (ConnectionState) -> Void) { self.receive = receive }
    func onConnectionState(state: ConnectionState) {
        Task { @MainActor in receive(state) }
    }
}

final class TypingRelay: TypingListener, @unchecked Sendable {
    private let receive: @MainActor ([String]) -> Void
    init(_ receive: @escaping @MainActor ([String]) -> Void) { self.receive = receive }
    func onTyping(userIds: [String]) {
        Task { @MainActor in receive(userIds) }
    }
}

/// The sidebar of one team: whole, then diffs applied in order.
final class ChannelListRelay: ChannelListListener, @unchecked Sendable {
    private let whole: @MainActor ([SidebarSection]) -> Void
    private let diff: @MainActor ([SidebarSectionOp]) -> Void
    init(whole: @escaping @MainActor ([SidebarSection]) -> Void,
         diff: @escaping @MainActor ([SidebarSectionOp]) -> Void) {
        self.whole = whole
        self.diff = diff
    }
    func onChannelList(sections: [SidebarSection]) {
        Task { @MainActor in whole(sections) }
    }
    func onChannelListDiff(operations: [SidebarSectionOp]) {
        Task { @MainActor in diff(operations) }
    }
    // The subscription keeps waiting; the next diff is against the last list.
    func onError(error: ClientError) {}
}

final class TimelineItemsRelay: TimelineItemsListener, @unchecked Sendable {
    private let whole: @MainActor (TimelineItems) -> Void
    private let diff: @MainActor (TimelineItemsDiff) -> Void
    private let failed: @MainActor (ClientError) -> Void
    init(whole: @escaping @MainActor (TimelineItems) -> Void,
         diff: @escaping @MainActor (TimelineItemsDiff) -> Void,
         failed: @escaping @MainActor (ClientError) -> Void) {
        self.whole = whole
        self.diff = diff
        self.failed = failed
    }
    func onItems(items: TimelineItems) {
        Task { @MainActor in whole(items) }
    }
    func onItemsDiff(diff: TimelineItemsDiff) {
        Task { @MainActor in self.diff(diff) }
    }
    func onError(error: ClientError) {
        Task { @MainActor in failed(error) }
    }
}

final class FollowedThreadsRelay: FollowedThreadsListener, @unchecked Sendable {
    private let whole: @MainActor (FollowedThreads) -> Void
    private let diff: @MainActor (FollowedThreadsDiff) -> Void
    init(whole: @escaping @MainActor (FollowedThreads) -> Void,
         diff: @escaping @MainActor (FollowedThreadsDiff) -> Void) {
        self.whole = whole
        self.diff = diff
    }
    func onFollowedThreads(threads: FollowedThreads) {
        Task { @MainActor in whole(threads) }
    }
    func onFollowedThreadsDiff(diff: FollowedThreadsDiff) {
        Task { @MainActor in self.diff(diff) }
    }
    func onError(error: ClientError) {}
}

/// A list diff's steps, the same for every list the core diffs.
enum ListStep<Element> {
    case remove(Int)
    case insert(Int, Element)
    case move(Int, Int)
    case update(Int, Element)
}

extension Array {
    mutating func apply(_ steps: [ListStep<Element>]) {
        for step in steps {
            switch step {
            case .remove(let index):
                remove(at: index)
            case .insert(let index, let element):
                insert(element, at: index)
            case .move(let from, let to):
                insert(remove(at: from), at: to)
            case .update(let index, let element):
                self[index] = element
            }
        }
    }
}

extension TimelineItemOp {
    var step: ListStep<TimelineItem> {
        switch self {
        case .remove(let index): return .remove(Int(index))
        case .insert(let index, let item): return .insert(Int(index), item)
        case .move(let from, let to): return .move(Int(from), Int(to))
        case .update(let index, let item): return .update(Int(index), item)
        }
    }
}

extension ChannelListOp {
    var step: ListStep<ChannelListItem> {
        switch self {
        case .remove(let index): return .remove(Int(index))
        case .insert(let index, let channel): return .insert(Int(index), channel)
        case .move(let from, let to): return .move(Int(from), Int(to))
        case .update(let index, let channel): return .update(Int(index), channel)
        }
    }
}

extension FollowedThreadOp {
    var step: ListStep<FollowedThread> {
        switch self {
        case .remove(let index): return .remove(Int(index))
        case .insert(let index, let thread): return .insert(Int(index), thread)
        case .move(let from, let to): return .move(Int(from), Int(to))
        case .update(let index, let thread): return .update(Int(index), thread)
        }
    }
}

extension Array where Element == SidebarSection {
    mutating func apply(_ operations: [SidebarSectionOp]) {
        for operation in operations {
            switch operation {
            case .remove(let index):
                remove(at: Int(index))
            case .insert(let index, let section):
                insert(section, at: Int(index))
            case .move(let from, let to):
                insert(remove(at: Int(from)), at: Int(to))
            case .update(let index, let name, let collapsed, let channels):
                self[Int(index)].name = name
                self[Int(index)].collapsed = collapsed
                self[Int(index)].channels.apply(channels.map(\.step))
            }
        }
    }
}
