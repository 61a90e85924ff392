package de.pausenhof.app.support

import de.pausenhof.app.PausenhofApp
import de.pausenhof.client.support.MemorySecretStore
import de.pausenhof.ffi.SecretStore
import org.unifiedpush.android.connector.keys.KeyManager

/**
 * The app with an in-memory secret store: Robolectric has no Android
 * Keystore, and a push gateway of the test's. Everything else (the core,
 * its database, the network) is real.
 */
class TestApp : PausenhofApp() {
    val secrets = MemorySecretStore()

    /** A test's own push gateway; set before the client is first used. */
    var pushGateway = ""

    override fun createSecretStore(): SecretStore = secrets

    override fun pushGatewayAddress(): String = pushGateway

    private val webPushKeys = MemoryWebPushKeys()

    override fun unifiedPushKeys(): KeyManager = webPushKeys
}
