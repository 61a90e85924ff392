import SwiftUI

/// The stage the model is at: starting, signing in, the school's rules and
/// the notification decision, or the app proper.
@MainActor
struct RootView: View {
    @EnvironmentObject private var model: AppModel

    var body: some View {
        switch model.stage {
        case .starting:
            ProgressView()
        case .failed(let message):
            Text(message).padding()
        case .server:
            NavigationView { ServerView() }
                .navigationViewStyle(.stack)
        case .signIn(let info):
            NavigationView { SignInView(info: info) }
                .navigationViewStyle(.stack)
        case .terms(let terms):
            NavigationView { TermsView(terms: terms) }
                .navigationViewStyle(.stack)
        case .fullName:
            NavigationView { FullNameView() }
                .navigationViewStyle(.stack)
        case .consent:
            NavigationView { ConsentView(onDone: { Task { await model.continueSignedIn() } }) }
                .navigationViewStyle(.stack)
        case .main:
            MainView()
                .id(model.accountGeneration)
        }
    }
}
