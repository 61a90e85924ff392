package de.pausenhof.app.support

import de.pausenhof.client.support.Account
import de.pausenhof.ffi.Delivery
import kotlinx.coroutines.runBlocking

/** Signs the app's client in as [account] (as the sign-in screen would) and syncs. */
fun ScreenTest.signIn(account: Account, decide: Boolean = true) = runBlocking {
    app.client.signInWithPassword(ScreenTest.server.url, account.username, account.password, null)
    if (decide) app.client.declinePushConsent()
    app.client.sync()
}

/** The consent text version the tests grant with. */
const val TEST_CONSENT_VERSION = "test"

fun ScreenTest.grantBackground() = runBlocking {
    app.client.grantPushConsent(Delivery.BACKGROUND_CONNECTION, TEST_CONSENT_VERSION)
}
