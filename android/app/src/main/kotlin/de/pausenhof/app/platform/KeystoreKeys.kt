package de.pausenhof.app.platform

import android.content.Context
import android.os.Build
import android.security.KeyPairGeneratorSpec
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.util.Base64
import de.pausenhof.ffi.SecretStoreFailure
import java.io.IOException
import java.math.BigInteger
import java.security.GeneralSecurityException
import java.security.KeyPairGenerator
import java.security.KeyStore
import java.util.Calendar
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.security.auth.x500.X500Principal

/**
 * The AES key that seals the session tokens.
 *
 * From Android 6 (API 23) the key is generated inside the Android Keystore
 * and never leaves it. Android 5 (API 21–22) keeps only RSA keys there: the
 * AES key is then made in software and stored wrapped (encrypted) with a
 * Keystore RSA key, and unwrapped in memory when needed.
 */
class KeystoreKeys(private val context: Context) {

    fun secretsKey(): SecretKey = try {
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.M) keystoreAesKey() else wrappedAesKey()
    } catch (error: GeneralSecurityException) {
        throw SecretStoreFailure.Unavailable("Android Keystore: ${error.javaClass.simpleName}")
    } catch (error: IOException) {
        throw SecretStoreFailure.Unavailable("Android Keystore: ${error.javaClass.simpleName}")
    }

    private fun keystore() = KeyStore.getInstance(PROVIDER).apply { load(null) }

    private fun keystoreAesKey(): SecretKey {
        (keystore().getEntry(AES_ALIAS, null) as? KeyStore.SecretKeyEntry)?.let { return it.secretKey }
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, PROVIDER)
        generator.init(
            KeyGenParameterSpec.Builder(AES_ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .build(),
        )
        return generator.generateKey()
    }

    @Suppress("DEPRECATION")
    private fun wrappedAesKey(): SecretKey {
        val preferences = context.getSharedPreferences(WRAPPED_FILE, Context.MODE_PRIVATE)
        val keyStore = keystore()
        if (!keyStore.containsAlias(RSA_ALIAS)) {
            val start = Calendar.getInstance()
            val end = Calendar.getInstance().apply { add(Calendar.YEAR, 30) }
            val generator = KeyPairGenerator.getInstance("RSA", PROVIDER)
            generator.initialize(
                KeyPairGeneratorSpec.Builder(context)
                    .setAlias(RSA_ALIAS)
                    .setSubject(X500Principal("CN=$RSA_ALIAS"))
                    .setSerialNumber(BigInteger.ONE)
                    .setStartDate(start.time)
                    .setEndDate(end.time)
                    .build(),
            )
            generator.generateKeyPair()
            preferences.edit().remove(WRAPPED_KEY).commit()
        }
        val entry = keyStore.getEntry(RSA_ALIAS, null) as KeyStore.PrivateKeyEntry
        val wrapped = preferences.getString(WRAPPED_KEY, null)
        if (wrapped != null) {
            val cipher = Cipher.getInstance(RSA_TRANSFORMATION)
            cipher.init(Cipher.UNWRAP_MODE, entry.privateKey)
            return cipher.unwrap(Base64.decode(wrapped, Base64.NO_WRAP), "AES", Cipher.SECRET_KEY) as SecretKey
        }
        val key = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
        val cipher = Cipher.getInstance(RSA_TRANSFORMATION)
        cipher.init(Cipher.WRAP_MODE, entry.certificate.publicKey)
        val sealed = Base64.encodeToString(cipher.wrap(key), Base64.NO_WRAP)
        if (!preferences.edit().putString(WRAPPED_KEY, sealed).commit()) {
            throw SecretStoreFailure.Unavailable("could not write the app's preferences")
        }
        return key
    }

    private companion object {
        const val PROVIDER = "AndroidKeyStore"
        const val AES_ALIAS = "pausenhof.session-tokens"
        const val RSA_ALIAS = "pausenhof.session-tokens.wrapping"
        const val RSA_TRANSFORMATION = "RSA/ECB/PKCS1Padding"
        const val WRAPPED_FILE = "pausenhof.keys"
        const val WRAPPED_KEY = "wrapped-aes"
    }
}
