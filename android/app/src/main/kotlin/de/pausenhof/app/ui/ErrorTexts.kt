package de.pausenhof.app.ui

import android.content.Context
import de.pausenhof.app.R
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.StorageProblem
import de.pausenhof.ffi.TlsProblem

/** What a person reads when a core call failed. */
fun Context.describe(error: ClientException): String = when (error) {
    is ClientException.Offline -> getString(R.string.error_offline)
    is ClientException.Network -> getString(R.string.error_network)
    is ClientException.InvalidServer -> getString(R.string.error_invalid_server, error.reason)
    is ClientException.NotMattermost -> getString(R.string.error_not_mattermost)
    is ClientException.ServerTooOld -> getString(R.string.error_server_too_old, error.version)
    is ClientException.Tls -> getString(tlsText(error.problem))
    is ClientException.InvalidCredentials -> getString(R.string.error_invalid_credentials)
    is ClientException.MfaCodeInvalid -> getString(R.string.error_mfa_invalid)
    is ClientException.MfaRequired -> getString(R.string.sign_in_mfa_explanation)
    is ClientException.EmailNotVerified -> getString(R.string.error_email_not_verified)
    is ClientException.LockedOut -> getString(R.string.error_locked_out)
    is ClientException.SignUpClosed -> getString(R.string.error_sign_up_closed)
    is ClientException.Unauthorized, is ClientException.SessionExpired -> getString(R.string.error_session_expired)
    is ClientException.Forbidden -> getString(R.string.error_forbidden)
    is ClientException.NotFound -> getString(R.string.error_not_found)
    is ClientException.RateLimited -> getString(R.string.error_rate_limited)
    is ClientException.Server -> error.serverMessage.ifBlank { getString(R.string.error_server, error.status.toInt()) }
    is ClientException.Storage -> storageText(error)
    is ClientException.ChannelArchived -> getString(R.string.error_channel_archived)
    is ClientException.PushGatewayMissing -> getString(R.string.error_push_gateway_missing)
    else -> getString(R.string.error_generic, error.message ?: error.javaClass.simpleName)
}

private fun Context.storageText(error: ClientException.Storage): String = when (error.problem) {
    StorageProblem.FULL -> getString(R.string.error_storage_full)
    StorageProblem.READ_ONLY -> getString(R.string.error_storage_read_only)
    StorageProblem.LOCKED -> getString(R.string.error_storage_locked)
    StorageProblem.DAMAGED -> getString(R.string.error_storage_damaged)
    StorageProblem.OTHER -> getString(R.string.error_storage, error.reason)
}

private fun tlsText(problem: TlsProblem): Int = when (problem) {
    TlsProblem.UNKNOWN_ISSUER -> R.string.error_tls_unknown_issuer
    TlsProblem.EXPIRED -> R.string.error_tls_expired
    TlsProblem.NOT_VALID_YET -> R.string.error_tls_not_valid_yet
    TlsProblem.NAME_MISMATCH -> R.string.error_tls_name_mismatch
    TlsProblem.REVOKED -> R.string.error_tls_revoked
    TlsProblem.BAD_CERTIFICATE -> R.string.error_tls_bad_certificate
    TlsProblem.INCOMPATIBLE -> R.string.error_tls_incompatible
    TlsProblem.OTHER -> R.string.error_tls_other
}
