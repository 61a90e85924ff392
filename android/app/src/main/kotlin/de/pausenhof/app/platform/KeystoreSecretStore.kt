package de.pausenhof.app.platform

import android.content.Context
import android.content.SharedPreferences
import android.util.Base64
import de.pausenhof.ffi.SecretStore
import de.pausenhof.ffi.SecretStoreFailure
import java.security.GeneralSecurityException
import javax.crypto.Cipher
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The core's [SecretStore]: each secret is sealed with AES-GCM and the
 * cipher text kept in the app's private preferences. The key comes from
 * [KeystoreKeys]: held by the Android Keystore, so a copy of the app's files
 * alone does not reveal a session token.
 */
class KeystoreSecretStore(
    private val preferences: SharedPreferences,
    private val key: () -> SecretKey,
) : SecretStore {

    constructor(context: Context) : this(
        context.getSharedPreferences(FILE, Context.MODE_PRIVATE),
        { KeystoreKeys(context).secretsKey() },
    )

    override fun get(key: String): String? {
        val stored = preferences.getString(key, null) ?: return null
        val bytes = try {
            Base64.decode(stored, Base64.NO_WRAP)
        } catch (error: IllegalArgumentException) {
            throw SecretStoreFailure.Corrupt("stored secret is not base64")
        }
        if (bytes.size <= IV_SIZE) throw SecretStoreFailure.Corrupt("stored secret is too short")
        val secretKey = key()
        return try {
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.DECRYPT_MODE, secretKey, GCMParameterSpec(TAG_BITS, bytes, 0, IV_SIZE))
            String(cipher.doFinal(bytes, IV_SIZE, bytes.size - IV_SIZE), Charsets.UTF_8)
        } catch (error: GeneralSecurityException) {
            throw SecretStoreFailure.Corrupt("stored secret cannot be decrypted: ${error.javaClass.simpleName}")
        }
    }

    override fun set(key: String, value: String) {
        val secretKey = key()
        val sealed = try {
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.ENCRYPT_MODE, secretKey)
            cipher.iv + cipher.doFinal(value.toByteArray(Charsets.UTF_8))
        } catch (error: GeneralSecurityException) {
            throw SecretStoreFailure.Unavailable("could not encrypt: ${error.javaClass.simpleName}")
        }
        if (!preferences.edit().putString(key, Base64.encodeToString(sealed, Base64.NO_WRAP)).commit()) {
            throw SecretStoreFailure.Unavailable("could not write the app's preferences")
        }
    }

    override fun delete(key: String) {
        if (!preferences.edit().remove(key).commit()) {
            throw SecretStoreFailure.Unavailable("could not write the app's preferences")
        }
    }

    private companion object {
        const val FILE = "pausenhof.secrets"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_SIZE = 12
        const val TAG_BITS = 128
    }
}
