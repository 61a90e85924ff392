package de.pausenhof.app

import android.app.Activity
import android.content.Intent
import android.graphics.Bitmap
import android.graphics.Canvas
import android.view.View
import android.widget.Button
import android.widget.EditText
import android.widget.ListView
import de.pausenhof.app.support.OtherUser
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.signIn
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.ChannelActivity
import de.pausenhof.app.ui.ConsentActivity
import de.pausenhof.app.ui.HomeActivity
import de.pausenhof.app.ui.ServerActivity
import de.pausenhof.app.ui.SidebarAdapter
import de.pausenhof.app.ui.SignInActivity
import java.io.File
import java.net.ServerSocket
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config
import org.robolectric.annotation.GraphicsMode

/**
 * Renders the main screens in English and German with Robolectric's native
 * graphics into `android/screenshots/<language>/`, for people to look at
 * (the README links them). Each picture is checked to hold drawn content.
 */
@RunWith(RobolectricTestRunner::class)
@GraphicsMode(GraphicsMode.Mode.NATIVE)
@Config(application = TestApp::class, sdk = [34], qualifiers = "w360dp-h640dp-xhdpi")
class ScreenshotsTest : ScreenTest() {

    @Test
    fun english() = renderAll("en")

    @Test
    @Config(qualifiers = "de-w360dp-h640dp-xhdpi")
    fun german() = renderAll("de")

    private fun renderAll(language: String) {
        val server = launch<ServerActivity>().get()
        val closedPort = ServerSocket(0).use { it.localPort }
        server.findViewById<EditText>(R.id.server_address).setText("http://127.0.0.1:$closedPort")
        server.findViewById<Button>(R.id.server_continue).performClick()
        waitUntil("the error is shown") { server.findViewById<View>(R.id.server_error).visibility == View.VISIBLE }
        save(server, language, "1-server-offline")

        val signInScreen = launch<SignInActivity>(
            Intent(app, SignInActivity::class.java)
                .putExtra(SignInActivity.EXTRA_SERVER_URL, ScreenTest.server.url)
                .putExtra(SignInActivity.EXTRA_SITE_NAME, "Gesamtschule Mitte"),
        ).get()
        save(signInScreen, language, "2-sign-in")

        signIn(ScreenTest.server.plain("student"), decide = false)
        save(launch<ConsentActivity>().get(), language, "3-notifications-consent")

        OtherUser(ScreenTest.server, ScreenTest.server.plain("teacher")).use { teacher ->
            val channel = teacher.sharedChannel(app.client)
            teacher.post(channel.id, "Denkt an die Hausaufgaben: S. 42, Nr. 3 und 4 🙂")
            kotlinx.coroutines.runBlocking { app.client.sync() }
            val home = launch<HomeActivity>().get()
            waitUntil("channels are listed") {
                (home.findViewById<ListView>(R.id.home_sidebar).adapter as SidebarAdapter).rows.size > 2
            }
            save(home, language, "4-home")

            val conversation = launch<ChannelActivity>(
                Intent(app, ChannelActivity::class.java)
                    .putExtra(ChannelActivity.EXTRA_CHANNEL_ID, channel.id)
                    .putExtra(ChannelActivity.EXTRA_CHANNEL_NAME, channel.displayName),
            ).get()
            waitUntil("posts are shown") { conversation.findViewById<ListView>(R.id.channel_timeline).count > 1 }
            save(conversation, language, "5-channel")
        }
    }

    private fun save(activity: Activity, language: String, name: String) {
        val root = activity.window.decorView
        waitUntil("$name is laid out") { root.width > 0 && root.height > 0 }
        val bitmap = Bitmap.createBitmap(root.width, root.height, Bitmap.Config.ARGB_8888)
        root.draw(Canvas(bitmap))
        val colours = HashSet<Int>()
        for (y in 0 until bitmap.height step 8) for (x in 0 until bitmap.width step 8) colours.add(bitmap.getPixel(x, y))
        assertTrue("$name looks empty (${colours.size} colours)", colours.size > 3)
        val folder = File(System.getProperty("pausenhof.screenshots.dir") ?: "screenshots", language)
        folder.mkdirs()
        File(folder, "$name.png").outputStream().use { bitmap.compress(Bitmap.CompressFormat.PNG, 100, it) }
    }
}
