package de.pausenhof.client.support

import de.pausenhof.ffi.SecretStore
import java.util.concurrent.ConcurrentHashMap

/** What the app's Keystore-backed store does, in memory. */
class MemorySecretStore : SecretStore {
    val secrets = ConcurrentHashMap<String, String>()

    override fun get(key: String): String? = secrets[key]

    override fun set(key: String, value: String) {
        secrets[key] = value
    }

    override fun delete(key: String) {
        secrets.remove(key)
    }
}
