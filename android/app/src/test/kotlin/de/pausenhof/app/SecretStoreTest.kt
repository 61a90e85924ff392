package de.pausenhof.app

import android.content.Context
import de.pausenhof.app.platform.KeystoreSecretStore
import de.pausenhof.app.support.TestApp
import de.pausenhof.ffi.SecretStoreFailure
import javax.crypto.KeyGenerator
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertThrows
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config

/**
 * The sealing of tokens. Robolectric has no Android Keystore, so the key
 * here is a software key; what is checked is what the app does with it.
 */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34])
class SecretStoreTest {
    private val context: Context = RuntimeEnvironment.getApplication()
    private val preferences = context.getSharedPreferences("secrets-test", Context.MODE_PRIVATE)
    private val key = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
    private val store = KeystoreSecretStore(preferences) { key }

    @Test
    fun a_token_comes_back_and_is_never_stored_in_clear() {
        store.set("pausenhof.session.a", "geheimes-token-123")
        assertEquals("geheimes-token-123", store.get("pausenhof.session.a"))
        val raw = preferences.all.values.joinToString()
        assertFalse(raw, raw.contains("geheimes-token-123"))
    }

    @Test
    fun deleting_forgets_and_a_missing_key_is_null() {
        store.set("k", "v")
        store.delete("k")
        assertNull(store.get("k"))
        store.delete("never-there")
    }

    @Test
    fun tampered_or_foreign_data_is_corrupt_not_a_crash() {
        store.set("k", "v")
        preferences.edit().putString("k", "kein base64 !!").commit()
        assertThrows(SecretStoreFailure.Corrupt::class.java) { store.get("k") }
        preferences.edit().putString("k", "AAAA").commit()
        assertThrows(SecretStoreFailure.Corrupt::class.java) { store.get("k") }

        store.set("k", "v")
        val otherKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
        assertThrows(SecretStoreFailure.Corrupt::class.java) { KeystoreSecretStore(preferences) { otherKey }.get("k") }
    }
}
