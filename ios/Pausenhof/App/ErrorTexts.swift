import Foundation

/// What a person reads when a core call failed.
func describe(_ error: Error) -> String {
    guard let error = error as? ClientError else {
        return L("error_generic", error.localizedDescription)
    }
    switch error {
    case .Offline:
        return L("error_offline")
    case .Network:
        return L("error_network")
    case .InvalidServer(let reason):
        return L("error_invalid_server", reason)
    case .NotMattermost:
        return L("error_not_mattermost")
    case .ServerTooOld(let version):
        return L("error_server_too_old", version)
    case .Tls(let problem):
        return describe(problem)
    case .InvalidCredentials:
        return L("error_invalid_credentials")
    case .MfaCodeInvalid:
        return L("error_mfa_invalid")
    case .MfaRequired:
        return L("sign_in_mfa_explanation")
    case .EmailNotVerified:
        return L("error_email_not_verified")
    case .LockedOut:
        return L("error_locked_out")
    case .SignUpClosed:
        return L("error_sign_up_closed")
    case .Unauthorized, .SessionExpired:
        return L("error_session_expired")
    case .Forbidden:
        return L("error_forbidden")
    case .NotFound:
        return L("error_not_found")
    case .RateLimited:
        return L("error_rate_limited")
    case .Server(let status, _, let serverMessage, _):
        return serverMessage.isEmpty ? L("error_server", Int(status)) : serverMessage
    case .Storage(let reason):
        return L("error_storage_device", reason)
    case .ChannelArchived:
        return L("error_channel_archived")
    case .PushGatewayMissing:
        return L("error_push_gateway_missing_apns")
    default:
        return L("error_generic", String(describing: error))
    }
}

func describe(_ problem: TlsProblem) -> String {
    switch problem {
    case .unknownIssuer: return L("error_tls_unknown_issuer")
    case .expired: return L("error_tls_expired")
    case .notValidYet: return L("error_tls_not_valid_yet_device")
    case .nameMismatch: return L("error_tls_name_mismatch")
    case .revoked: return L("error_tls_revoked")
    case .badCertificate: return L("error_tls_bad_certificate")
    case .incompatible: return L("error_tls_incompatible")
    case .other: return L("error_tls_other")
    }
}

func describe(_ presence: Presence) -> String {
    switch presence {
    case .online: return L("presence_online")
    case .away: return L("presence_away")
    case .doNotDisturb: return L("presence_dnd")
    case .offline: return L("presence_offline")
    case .unknown: return L("presence_unknown")
    }
}

func isOffline(_ error: Error) -> Bool {
    switch error as? ClientError {
    case .Offline?, .Network?: return true
    default: return false
    }
}
