import SwiftUI
import UIKit
import UserNotifications

@main
struct PausenhofApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var delegate
    @Environment(\.scenePhase) private var scenePhase

    var body: some Scene {
        WindowGroup {
            RootView()
                .environmentObject(AppModel.shared)
                .task { await AppModel.shared.start() }
        }
        .onChange(of: scenePhase) { phase in
            AppModel.shared.lifecycle.scenePhaseChanged(phase)
        }
    }
}

/// The parts of the app iOS talks to outside SwiftUI: the APNs token and
/// the user's answer to a notification (tap, reply, mark read), also when
/// iOS started the app in the background just for that.
final class AppDelegate: NSObject, UIApplicationDelegate, UNUserNotificationCenterDelegate {
    func application(
        _ application: UIApplication,
        didFinishLaunchingWithOptions launchOptions: [UIApplication.LaunchOptionsKey: Any]? = nil
    ) -> Bool {
        let center = UNUserNotificationCenter.current()
        center.delegate = self
        center.setNotificationCategories(NotificationActions.categories())
        return true
    }

    func application(_ application: UIApplication, didRegisterForRemoteNotificationsWithDeviceToken deviceToken: Data) {
        Task { @MainActor in AppModel.shared.push.received(deviceToken: deviceToken) }
    }

    func application(_ application: UIApplication, didFailToRegisterForRemoteNotificationsWithError error: Error) {
        // No token (a simulator, no network): asked again at the next start.
    }

    // The app in front shows its notifications too, except for the
    // conversation on screen.
    func userNotificationCenter(
        _ center: UNUserNotificationCenter,
        willPresent notification: UNNotification
    ) async -> UNNotificationPresentationOptions {
        let channelId = notification.request.content.userInfo[NotificationKeys.channelId] as? String
        let shown = await MainActor.run { AppModel.shared.channel?.id }
        if channelId != nil && channelId == shown {
            return []
        }
        return [.banner, .list, .sound, .badge]
    }

    func userNotificationCenter(
        _ center: UNUserNotificationCenter,
        didReceive response: UNNotificationResponse
    ) async {
        await NotificationActions.handle(response, model: AppModel.shared)
    }
}
