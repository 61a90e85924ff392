package de.pausenhof.client

import de.pausenhof.client.support.TestServer
import de.pausenhof.client.support.TwoUsers
import de.pausenhof.client.support.runSession
import de.pausenhof.ffi.PostItem
import de.pausenhof.ffi.SpanKind
import de.pausenhof.ffi.TextBlockKind
import de.pausenhof.ffi.TimelineItemKind
import de.pausenhof.ffi.TimelineItems
import de.pausenhof.ffi.TimelineOptions
import de.pausenhof.ffi.TimelineTarget
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import kotlin.test.Test
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/**
 * Timeline items through the exported API: the items kept from diffs show
 * a day separator, a grouped post and a Markdown tree, and equal a fresh
 * read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TimelineItemsTest {
    private lateinit var server: TestServer

    @BeforeAll
    fun startServer() {
        server = TestServer.start()
    }

    @AfterAll
    fun stopServer() {
        server.close()
    }

    private fun TimelineItems.posts(): List<PostItem> =
        items.mapNotNull { (it.kind as? TimelineItemKind.Post)?.post }

    @Test
    fun `a channel's items show days, grouped posts and Markdown`() = runSession {
        TwoUsers.connect(server).use { users ->
            val (me, other, channel) = Triple(users.me, users.other, users.channel.id)
            val timeline = me.openTimeline(
                TimelineTarget.Channel(channel),
                TimelineOptions(timeZone = "Europe/Berlin", locale = "de", pageSize = 50u),
            )
            val stamp = System.nanoTime()
            val first = "**Wichtig** für morgen $stamp :thumbsup:"
            val second = "Bitte an @${me.currentUser()!!.username} denken $stamp"
            other.sendPost(channel, "", first)
            other.sendPost(channel, "", second)

            // Other changes (read state, names) may follow the posts; the
            // items kept from diffs must settle where a fresh read is.
            val kept = withTimeoutOrNull(20_000) {
                timeline.observeItems().first { items ->
                    items.posts().count { it.plainText.contains("$stamp") } == 2 &&
                        items == timeline.items()
                }
            }
            assertNotNull(kept, "the items kept from diffs never equalled a fresh read with both posts")

            assertTrue(
                kept.items.any { it.kind is TimelineItemKind.DaySeparator },
                "a day separator: ${kept.items}",
            )
            val bold = kept.posts().first { it.plainText.startsWith("Wichtig für morgen $stamp") }
            val grouped = kept.posts().first { it.plainText.startsWith("Bitte an") && it.plainText.endsWith("$stamp") }
            assertTrue(grouped.grouped, "the second post of the same author is grouped")
            assertTrue(grouped.mentionsMe, "the mention of me is marked")
            val paragraph = bold.text.blocks.single().kind as TextBlockKind.Paragraph
            assertTrue(paragraph.spans.first().bold && paragraph.spans.first().text == "Wichtig", "${paragraph.spans}")
            assertTrue(
                paragraph.spans.any { (it.kind as? SpanKind.Emoji)?.unicode == "👍" },
                "the emoji as Unicode: ${paragraph.spans}",
            )
            timeline.close()
        }
    }
}
