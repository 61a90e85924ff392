package de.pausenhof.app

import java.io.File
import javax.xml.parsers.DocumentBuilderFactory
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.w3c.dom.Element

/** German comes first at our schools: no text may exist in English only. */
class TranslationsTest {
    private val res = File(System.getProperty("pausenhof.res.dir") ?: "app/src/main/res")

    private fun names(folder: String): Map<String, String> {
        val file = File(res, "$folder/strings.xml")
        assertTrue("missing ${file.path}", file.isFile)
        val document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file)
        val root = document.documentElement
        return (0 until root.childNodes.length)
            .mapNotNull { root.childNodes.item(it) as? Element }
            .filter { it.tagName == "string" || it.tagName == "plurals" }
            .associate { it.getAttribute("name") to it.textContent.trim() }
    }

    @Test
    fun every_english_text_has_a_german_one_and_no_german_text_is_orphaned() {
        val english = names("values")
        val german = names("values-de")
        assertEquals("texts without German translation", emptySet<String>(), english.keys - german.keys)
        assertEquals("German texts without an English original", emptySet<String>(), german.keys - english.keys)
    }

    @Test
    fun placeholders_match_between_the_languages() {
        val english = names("values")
        val german = names("values-de")
        val placeholder = Regex("%\\d\\$[sd]|%d")
        english.forEach { (name, text) ->
            val expected = placeholder.findAll(text).map { it.value }.toSortedSet()
            val actual = placeholder.findAll(german.getValue(name)).map { it.value }.toSortedSet()
            assertEquals("placeholders of $name", expected, actual)
        }
    }
}
