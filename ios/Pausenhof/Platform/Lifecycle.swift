import Foundation
import Network
import SwiftUI

/// Tells the core what the app and the network do; the core decides what
/// that means for the connection (close it in the background, reconnect at
/// once when the network changes).
final class Lifecycle {
    private let monitor = NWPathMonitor()
    private let queue = DispatchQueue(label: "de.pausenhof.network")
    private var client: Client?
    private var lastPath: (satisfied: Bool, interfaces: [NWInterface.InterfaceType])?

    func attach(_ client: Client) {
        queue.sync { self.client = client }
        if monitor.pathUpdateHandler == nil {
            monitor.pathUpdateHandler = { [weak self] path in self?.networkChanged(path) }
            monitor.start(queue: queue)
        }
    }

    @MainActor
    func scenePhaseChanged(_ phase: ScenePhase) {
        let event: LifecycleEvent
        switch phase {
        case .active:
            event = .foreground
        case .background:
            event = .background
        default:
            // Inactive (the app switcher, a system alert): still on screen.
            return
        }
        queue.async { self.report(event) }
    }

    /// Runs on `queue`: the monitor's updates come one at a time.
    private func networkChanged(_ path: NWPath) {
        let satisfied = path.status == .satisfied
        let interfaces = path.availableInterfaces.map(\.type)
        defer { lastPath = (satisfied, interfaces) }
        guard let last = lastPath else {
            // The first update is the state at start, not a change.
            if !satisfied {
                report(.networkDown)
            }
            return
        }
        if satisfied && !last.satisfied {
            report(.networkUp)
        } else if !satisfied && last.satisfied {
            report(.networkDown)
        } else if satisfied && interfaces.first != last.interfaces.first {
            report(.networkChanged)
        }
    }

    /// Runs on `queue`, which also guards `client`.
    private func report(_ event: LifecycleEvent) {
        // Nobody signed in yet: nothing to tell.
        try? client?.lifecycle(event: event)
    }
}
