package de.pausenhof.app.ui

import android.app.Activity
import android.content.Intent
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.ConsentState

/**
 * Where a signed-in user goes next: the server's terms of service first (it
 * refuses everything else until they are accepted), then the school's rules
 * want a full name, then the notification decision must be asked before
 * anything is registered, then the app proper.
 */
suspend fun Activity.continueSignedIn(client: Client) {
    val next = when {
        termsPending(client) -> TermsActivity::class.java
        client.needsFullName() -> FullNameActivity::class.java
        client.pushStatus().consent is ConsentState.NotAsked -> ConsentActivity::class.java
        else -> HomeActivity::class.java
    }
    startActivity(Intent(this, next).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_CLEAR_TASK))
    finish()
}

/** Offline, the terms are asked again on the next start that reaches the server. */
private suspend fun termsPending(client: Client): Boolean = try {
    client.pendingTermsOfService() != null
} catch (failure: ClientException) {
    false
}

/** Back to the start, e.g. after signing out or when the session ended. */
fun Activity.startOver() {
    startActivity(
        Intent(this, ServerActivity::class.java)
            .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_CLEAR_TASK),
    )
    finish()
}
