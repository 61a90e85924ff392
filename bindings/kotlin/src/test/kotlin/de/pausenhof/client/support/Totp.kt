package de.pausenhof.client.support

import java.nio.ByteBuffer
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec

/**
 * The current RFC 6238 code (SHA-1, 30 s, 6 digits) for a base32 secret, as
 * an authenticator app shows it. Uses the JDK's HMAC.
 */
fun totpCode(base32Secret: String, nowMillis: Long = System.currentTimeMillis()): String {
    val mac = Mac.getInstance("HmacSHA1")
    mac.init(SecretKeySpec(base32Decode(base32Secret), "HmacSHA1"))
    val hash = mac.doFinal(ByteBuffer.allocate(8).putLong(nowMillis / 1000 / 30).array())
    val offset = hash.last().toInt() and 0x0f
    val binary = ByteBuffer.wrap(hash, offset, 4).int and 0x7fffffff
    return (binary % 1_000_000).toString().padStart(6, '0')
}

private fun base32Decode(text: String): ByteArray {
    val alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    val out = java.io.ByteArrayOutputStream()
    var buffer = 0
    var bits = 0
    for (char in text.uppercase().filter { it != '=' && !it.isWhitespace() }) {
        val value = alphabet.indexOf(char)
        require(value >= 0) { "not base32" }
        buffer = (buffer shl 5) or value
        bits += 5
        if (bits >= 8) {
            bits -= 8
            out.write((buffer shr bits) and 0xff)
        }
    }
    return out.toByteArray()
}
