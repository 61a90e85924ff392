package de.pausenhof.app

import android.view.View
import android.widget.Button
import android.widget.EditText
import android.widget.ListView
import android.widget.TextView
import de.pausenhof.app.support.OtherUser
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.follow
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.screenText
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.ChannelActivity
import de.pausenhof.app.ui.HomeActivity
import de.pausenhof.app.ui.SearchActivity
import de.pausenhof.app.ui.TwoLineAdapter
import de.pausenhof.client.support.DownableProxy
import de.pausenhof.ffi.LifecycleEvent
import de.pausenhof.ffi.SearchHit
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34])
class SearchScreenTest : ScreenTest() {

    @Suppress("UNCHECKED_CAST")
    private fun SearchActivity.hits(): List<SearchHit> =
        (findViewById<ListView>(R.id.search_results).adapter as TwoLineAdapter<SearchHit>).items

    private fun SearchActivity.searchFor(terms: String) {
        findViewById<EditText>(R.id.search_field).setText(terms)
        findViewById<Button>(R.id.search_go).performClick()
    }

    @Test
    fun a_cached_message_with_umlauts_is_found_offline_and_opens_its_channel() {
        val student = server.plain("student")
        DownableProxy(server.port).use { proxy ->
            OtherUser(server, server.plain("teacher")).use { teacher ->
                runBlocking {
                    app.client.signInWithPassword(proxy.url, student.username, student.password, null)
                    app.client.declinePushConsent()
                    app.client.sync()
                }
                val channel = teacher.sharedChannel(app.client)
                teacher.post(channel.id, "Die Wanderung nach Überlingen fällt aus")
                runBlocking { app.client.sync() }

                val home = launch<HomeActivity>().get()
                proxy.down()
                app.client.lifecycle(LifecycleEvent.NetworkDown)
                shadowOf(home).clickMenuItem(R.id.menu_search)
                val search = home.follow(SearchActivity::class.java).get()

                search.searchFor("überlingen")
                waitUntil("the message is found") { search.hits().isNotEmpty() }
                val position = search.hits().indexOfFirst { it.post.message == "Die Wanderung nach Überlingen fällt aus" }
                assertTrue(search.hits().toString(), position >= 0)
                assertTrue(search.screenText(), search.screenText().contains(channel.displayName))

                search.findViewById<ListView>(R.id.search_results).performItemClick(null, position, 0)
                val opened = search.follow(ChannelActivity::class.java).get()
                assertEquals(channel.displayName, opened.title.toString())
            }
        }
    }

    @Test
    fun nothing_found_says_so() {
        runBlocking {
            val account = server.plain("student")
            app.client.signInWithPassword(server.url, account.username, account.password, null)
            app.client.declinePushConsent()
            app.client.sync()
        }
        val search = launch<SearchActivity>().get()
        search.searchFor("Quantenchromodynamik")
        waitUntil("the empty note shows") { search.findViewById<TextView>(R.id.search_empty).visibility == View.VISIBLE }
        assertTrue(search.findViewById<TextView>(R.id.search_empty).text.contains("Quantenchromodynamik"))
    }
}
