package de.pausenhof.client

import de.pausenhof.ffi.InternalException
import de.pausenhof.ffi.libraryVersion
import de.pausenhof.ffi.testHookPanic
import de.pausenhof.ffi.testHookPanicAsync
import de.pausenhof.client.support.runSession
import kotlin.test.Test
import kotlin.test.assertContains
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

class LibraryTest {
    @Test
    fun `the cdylib loads and answers through the generated Kotlin`() {
        assertTrue(libraryVersion().matches(Regex("""\d+\.\d+\.\d+""")))
    }

    @Test
    fun `a panic in Rust arrives as a Kotlin exception and the library keeps working`() {
        val error = assertFailsWith<InternalException> { testHookPanic("deliberate test panic") }
        assertContains(error.message.orEmpty(), "deliberate test panic")
        assertTrue(libraryVersion().isNotEmpty())
    }

    @Test
    fun `a panic in a task on the core's runtime reaches the awaiting coroutine`() = runSession {
        val error = assertFailsWith<InternalException> { testHookPanicAsync("deliberate async panic") }
        assertContains(error.message.orEmpty(), "deliberate async panic")
        // The runtime survived: the same path works again.
        assertFailsWith<InternalException> { testHookPanicAsync("again") }
    }
}
