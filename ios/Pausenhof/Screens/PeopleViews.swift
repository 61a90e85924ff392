import SwiftUI

@MainActor
struct PersonRow: View {
    let person: FoundPerson

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            Text(person.displayName)
            HStack {
                Text("@\(person.username)")
                Text(describe(person.presence))
                if person.deactivated {
                    Text(L("people_deactivated")).foregroundColor(.red)
                }
            }
            .font(.caption)
            .foregroundColor(.secondary)
        }
        .opacity(person.deactivated ? 0.6 : 1)
        .accessibilityElement(children: .combine)
    }
}

/// The directory of the school, as the server lets the user search it.
@MainActor
struct PeopleView: View {
    @EnvironmentObject private var app: AppModel
    @State private var term = ""
    @State private var people: [FoundPerson] = []
    @State private var error: String?

    var body: some View {
        List {
            TextField(L("people_hint"), text: $term)
                .autocapitalization(.none)
                .disableAutocorrection(true)
                .onChange(of: term) { typed in search(typed) }
            if let error {
                Text(error).foregroundColor(.red)
            }
            ForEach(people, id: \.id) { person in
                NavigationLink(destination: ProfileView(userId: person.id)) { PersonRow(person: person) }
            }
        }
        .navigationTitle(L("people_title"))
    }

    private func search(_ typed: String) {
        let trimmed = typed.trimmingCharacters(in: .whitespaces)
        guard let client = app.client, !trimmed.isEmpty else {
            people = []
            return
        }
        Task {
            do {
                let found = try await client.searchPeople(term: trimmed, teamId: "", limit: 50)
                if term.trimmingCharacters(in: .whitespaces) == trimmed {
                    people = found
                    error = nil
                }
            } catch {
                self.error = describe(error)
            }
        }
    }
}

/// Someone's profile card: name, position, status, local time, and a
/// direct message to them.
@MainActor
struct ProfileView: View {
    @EnvironmentObject private var app: AppModel
    let userId: String
    @State private var card: ProfileCard?
    @State private var error: String?

    var body: some View {
        Form {
            if let card {
                Section {
                    Text(card.person.displayName).font(.headline)
                    Text("@\(card.person.username)").foregroundColor(.secondary)
                    if !card.person.position.isEmpty {
                        Text(card.person.position)
                    }
                    Text(describe(card.person.presence))
                    if let time = card.localTime {
                        Text(L("profile_local_time", time.time))
                    }
                    if card.person.deactivated {
                        Text(L("people_deactivated")).foregroundColor(.red)
                    }
                }
                if !card.person.deactivated && card.person.id != app.client?.currentUser()?.id {
                    Section {
                        Button(L("profile_send_message"), action: message)
                    }
                }
            }
            if let error {
                Text(error).foregroundColor(.red)
            }
        }
        .navigationTitle(L("profile_title"))
        .task {
            guard let client = app.client else { return }
            do {
                card = try await client.profileCard(userId: userId)
            } catch {
                self.error = describe(error)
            }
        }
    }

    private func message() {
        guard let client = app.client, let card else { return }
        Task {
            do {
                let channelId = try await client.openDirectMessage(userId: userId)
                app.open(channelId: channelId, name: card.person.displayName)
            } catch {
                self.error = describe(error)
            }
        }
    }
}

/// The user's own status.
@MainActor
struct StatusView: View {
    @EnvironmentObject private var app: AppModel
    @State private var current: Presence?
    @State private var error: String?

    var body: some View {
        Form {
            if let current {
                Text(L("status_current", describe(current)))
            }
            Section {
                Button(L("status_online")) { set(.online) }
                Button(L("status_away")) { set(.away) }
                Button(L("status_dnd_hour")) { set(.doNotDisturb(untilMs: millis(from: Date().addingTimeInterval(3600)))) }
                Button(L("status_dnd_tomorrow")) { set(.doNotDisturb(untilMs: millis(from: tomorrowMorning))) }
                Button(L("status_offline")) { set(.offline) }
            }
            if let error {
                Text(error).foregroundColor(.red)
            }
        }
        .navigationTitle(L("status_title"))
        .task { await load() }
    }

    /// Tomorrow at 7:00 in the device's time zone: school starts.
    private var tomorrowMorning: Date {
        let calendar = Calendar.current
        let tomorrow = calendar.date(byAdding: .day, value: 1, to: Date()) ?? Date()
        return calendar.date(bySettingHour: 7, minute: 0, second: 0, of: tomorrow) ?? tomorrow
    }

    private func millis(from date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970 * 1000)
    }

    private func load() async {
        guard let client = app.client else { return }
        do {
            current = try await client.ownStatus()
        } catch {
            self.error = describe(error)
        }
    }

    private func set(_ status: OwnStatus) {
        guard let client = app.client else { return }
        Task {
            do {
                try await client.setOwnStatus(status: status)
                error = nil
            } catch {
                self.error = describe(error)
            }
            await load()
        }
    }
}
