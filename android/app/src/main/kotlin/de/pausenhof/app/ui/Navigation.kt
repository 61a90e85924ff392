package de.pausenhof.app.ui

import android.app.Activity
import android.content.Intent
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ConsentState

/**
 * Where a signed-in user goes next: the school's rules want a full name
 * first, then the notification decision must be asked before anything is
 * registered, then the app proper.
 */
suspend fun Activity.continueSignedIn(client: Client) {
    val next = when {
        client.needsFullName() -> FullNameActivity::class.java
        client.pushStatus().consent is ConsentState.NotAsked -> ConsentActivity::class.java
        else -> HomeActivity::class.java
    }
    startActivity(Intent(this, next).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_CLEAR_TASK))
    finish()
}

/** Back to the start, e.g. after signing out or when the session ended. */
fun Activity.startOver() {
    startActivity(
        Intent(this, ServerActivity::class.java)
            .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_CLEAR_TASK),
    )
    finish()
}
