package de.pausenhof.app.support

import org.unifiedpush.android.connector.data.PublicKeySet
import org.unifiedpush.android.connector.keys.KeyManager
import java.math.BigInteger
import java.security.KeyPairGenerator
import java.security.SecureRandom
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import java.util.Base64

/**
 * The app's Web Push keys in memory: Robolectric has no Android Keystore
 * for the connector's own key manager. The tests hand pushes to the app
 * already decrypted, so nothing here decrypts.
 */
class MemoryWebPushKeys : KeyManager {
    private val keys = mutableMapOf<String, PublicKeySet>()

    override fun generate(instance: String) {
        val generator = KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1")) }
        val public = generator.generateKeyPair().public as ECPublicKey
        // Uncompressed point: 0x04, then x and y as 32 bytes each.
        val point = byteArrayOf(4) + fixed32(public.w.affineX) + fixed32(public.w.affineY)
        val auth = ByteArray(16).also { SecureRandom().nextBytes(it) }
        val encoder = Base64.getUrlEncoder().withoutPadding()
        keys[instance] = PublicKeySet(encoder.encodeToString(point), encoder.encodeToString(auth))
    }

    private fun fixed32(n: BigInteger): ByteArray = n.toByteArray().takeLast(32).toByteArray().let {
        ByteArray(32 - it.size) + it
    }

    override fun getPublicKeySet(instance: String): PublicKeySet? = keys[instance]

    override fun exists(instance: String): Boolean = instance in keys

    override fun delete(instance: String) {
        keys.remove(instance)
    }

    override fun decrypt(instance: String, data: ByteArray): ByteArray? =
        throw UnsupportedOperationException("the tests deliver pushes decrypted")
}
