package de.pausenhof.app

import android.content.Intent
import android.os.Bundle
import android.view.View
import android.view.ViewGroup
import android.widget.EditText
import android.widget.TextView
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.ChannelActivity
import de.pausenhof.app.ui.ConsentActivity
import de.pausenhof.app.ui.HomeActivity
import de.pausenhof.app.ui.ServerActivity
import de.pausenhof.app.ui.SignInActivity
import de.pausenhof.client.support.DownableProxy
import de.pausenhof.ffi.LifecycleEvent
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34])
class ResilienceAndAccessibilityTest : ScreenTest() {

    private fun signInThrough(url: String) = runBlocking {
        val student = server.plain("student")
        app.client.signInWithPassword(url, student.username, student.password, null)
        app.client.declinePushConsent()
        app.client.sync()
    }

    private fun firstChannelIntent(): Intent {
        val channel = runBlocking {
            val team = app.client.teams().first()
            app.client.channelList(team.id).flatMap { it.channels }.first()
        }
        return Intent(app, ChannelActivity::class.java)
            .putExtra(ChannelActivity.EXTRA_CHANNEL_ID, channel.id)
            .putExtra(ChannelActivity.EXTRA_CHANNEL_NAME, channel.displayName)
    }

    @Test
    fun a_half_written_message_survives_rotation() {
        signInThrough(server.url)
        val controller = launch<ChannelActivity>(firstChannelIntent())
        controller.get().findViewById<EditText>(R.id.channel_composer).setText("Ich wollte noch sagen")
        controller.recreate()
        assertEquals("Ich wollte noch sagen", controller.get().findViewById<EditText>(R.id.channel_composer).text.toString())
    }

    @Test
    fun a_half_written_message_survives_the_process_being_killed_in_the_background() {
        signInThrough(server.url)
        val intent = firstChannelIntent()
        val first = launch<ChannelActivity>(intent)
        first.get().findViewById<EditText>(R.id.channel_composer).setText("Entwurf vor dem Tod")
        val saved = Bundle()
        first.pause().saveInstanceState(saved).stop().destroy()

        // Android brings the screen back from the saved state in a new process.
        val again = Robolectric.buildActivity(ChannelActivity::class.java, intent).setup(saved).get()
        assertEquals("Entwurf vor dem Tod", again.findViewById<EditText>(R.id.channel_composer).text.toString())
    }

    @Test
    fun a_conversation_restored_in_a_new_process_reopens_the_account_itself() {
        signInThrough(server.url)
        val intent = firstChannelIntent()
        // Android killed the app in the background; the process that comes back
        // starts at the conversation, not at the launcher.
        app.resetClient()
        val screen = launch<ChannelActivity>(intent).get()
        waitUntil("the conversation is shown") {
            val list = screen.findViewById<android.widget.ListView>(R.id.channel_timeline)
            list.count > list.headerViewsCount
        }
        assertTrue(app.client.currentUser() != null)
    }

    @Test
    fun losing_the_connection_shows_the_banner_and_it_goes_when_back() {
        DownableProxy(server.port).use { proxy ->
            signInThrough(proxy.url)
            val home = launch<HomeActivity>().get()
            val banner = home.findViewById<TextView>(R.id.home_banner)
            waitUntil("connected") { banner.visibility == View.GONE }

            proxy.down()
            app.client.lifecycle(LifecycleEvent.NetworkDown)
            waitUntil("the banner says so") { banner.visibility == View.VISIBLE }
            val said = banner.text.toString()
            assertTrue(
                said,
                said == app.getString(R.string.home_offline) || said == app.getString(R.string.home_reconnecting),
            )

            proxy.up()
            app.client.lifecycle(LifecycleEvent.NetworkUp)
            waitUntil("the banner goes", timeoutMs = 40_000) { banner.visibility == View.GONE }
        }
    }

    @Test
    fun every_control_of_the_sign_in_screens_can_be_read_aloud_and_hit_with_a_finger() {
        val screens = listOf(
            launch<ServerActivity>().get(),
            launch<SignInActivity>(
                Intent(app, SignInActivity::class.java).putExtra(SignInActivity.EXTRA_SERVER_URL, server.url),
            ).get(),
            run {
                signInThrough(server.url)
                launch<ConsentActivity>().get()
            },
        )
        val minimum = (48 * app.resources.displayMetrics.density).toInt()
        screens.forEach { screen ->
            val found = controls(screen.window.decorView)
            assertTrue("${screen.javaClass.simpleName}: only ${found.size} controls found", found.size >= 2)
            found.forEach { control ->
                val name = "${screen.javaClass.simpleName}/${app.resources.getResourceEntryName(control.id)}"
                val spoken = (control as? TextView)?.let { it.text.ifEmpty { it.hint } } ?: control.contentDescription
                assertTrue("$name has nothing to read aloud", !spoken.isNullOrBlank())
                assertTrue("$name is smaller than 48dp", control.minimumHeight >= minimum)
            }
        }
    }

    /** Visible views a person can tap or type into that carry an id of ours. */
    private fun controls(view: View): List<View> {
        val own = view.id != View.NO_ID && view.visibility == View.VISIBLE &&
            (view.isClickable || view is EditText) && runCatching {
                app.resources.getResourcePackageName(view.id) == app.packageName
            }.getOrDefault(false)
        val children = (view as? ViewGroup)?.let { group -> (0 until group.childCount).flatMap { controls(group.getChildAt(it)) } }
        return listOfNotNull(view.takeIf { own }) + children.orEmpty()
    }
}
