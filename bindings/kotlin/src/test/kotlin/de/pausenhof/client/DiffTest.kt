package de.pausenhof.client

import de.pausenhof.ffi.Post
import de.pausenhof.ffi.PostListOp
import de.pausenhof.ffi.testHookDiffPosts
import kotlin.random.Random
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * The Kotlin layer applies core's operations exactly as core means them:
 * random lists and random edits, diffed by the library, applied here.
 */
class DiffTest {
    private fun post(item: String): Post {
        val (id, message) = item.split(':', limit = 2)
        return Post(
            id = id, channelId = "c", rootId = "", userId = "u", authorName = "", authorUsername = "",
            message = message, postType = "", propsJson = "null", createAt = 0, edited = false, editAt = 0,
            deleted = false, isPinned = false, replyCount = 0, reactions = emptyList(), files = emptyList(),
        )
    }

    private fun List<Post>.items() = map { "${it.id}:${it.message}" }

    @Test
    fun `applying core's diff of random edits gives the new list`() {
        val random = Random(42)
        var moves = 0
        repeat(300) { round ->
            val old = (0 until random.nextInt(0, 25)).map { "p$it:v0" }
            val new = old.toMutableList()
            repeat(random.nextInt(0, 6)) {
                when (random.nextInt(4)) {
                    0 -> new.add(random.nextInt(new.size + 1), "n$round$it:v0")
                    1 -> if (new.isNotEmpty()) new.removeAt(random.nextInt(new.size))
                    2 -> if (new.size > 1) new.add(random.nextInt(new.size), new.removeAt(random.nextInt(new.size)))
                    else -> if (new.isNotEmpty()) random.nextInt(new.size).let { new[it] = new[it].replace(":v0", ":v1") }
                }
            }
            val operations = testHookDiffPosts(old, new)
            moves += operations.count { it is PostListOp.Move }
            assertEquals(new, old.map(::post).applying(operations).items(), "round $round: $operations")
        }
        assertTrue(moves > 0, "moves were exercised")
    }

    @Test
    fun `a reversed list is rebuilt by moves alone`() {
        val old = (1..6).map { "p$it:x" }
        val operations = testHookDiffPosts(old, old.reversed())
        assertTrue(operations.all { it is PostListOp.Move })
        assertEquals(old.reversed(), old.map(::post).applying(operations).items())
    }
}
