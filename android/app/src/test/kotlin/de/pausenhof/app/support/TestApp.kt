package de.pausenhof.app.support

import de.pausenhof.app.PausenhofApp
import de.pausenhof.client.support.MemorySecretStore
import de.pausenhof.ffi.SecretStore

/**
 * The app with an in-memory secret store: Robolectric has no Android
 * Keystore. Everything else (the core, its database, the network) is real.
 */
class TestApp : PausenhofApp() {
    val secrets = MemorySecretStore()

    override fun createSecretStore(): SecretStore = secrets
}
