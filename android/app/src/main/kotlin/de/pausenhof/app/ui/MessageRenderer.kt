package de.pausenhof.app.ui

import android.content.Context
import android.graphics.Typeface
import android.text.SpannableStringBuilder
import android.text.Spanned
import android.text.style.BackgroundColorSpan
import android.text.style.ForegroundColorSpan
import android.text.style.RelativeSizeSpan
import android.text.style.StrikethroughSpan
import android.text.style.StyleSpan
import android.text.style.TypefaceSpan
import android.text.style.URLSpan
import de.pausenhof.app.R
import de.pausenhof.app.colorOf
import de.pausenhof.ffi.MessageText
import de.pausenhof.ffi.SpanKind
import de.pausenhof.ffi.TextBlock
import de.pausenhof.ffi.TextBlockKind
import de.pausenhof.ffi.TextSpan

/**
 * Draws the core's message tree with Android's text spans: the core has
 * parsed the Markdown, resolved mentions and emoji; this only styles.
 */
class MessageRenderer(private val context: Context) {

    fun render(text: MessageText): CharSequence {
        val out = SpannableStringBuilder()
        text.blocks.forEachIndexed { index, block ->
            if (index > 0) out.append('\n')
            block(out, block)
        }
        return out
    }

    private fun block(out: SpannableStringBuilder, block: TextBlock) {
        repeat(block.quoteDepth.toInt()) { out.append("┃ ") }
        val depth = block.listPath.size
        block.listPath.lastOrNull()?.let { level ->
            out.append("  ".repeat(depth - 1))
            out.append(
                when {
                    !level.firstBlock -> "   "
                    level.task == true -> "☑ "
                    level.task == false -> "☐ "
                    level.number != null -> "${level.number}. "
                    else -> "• "
                },
            )
        }
        when (val kind = block.kind) {
            is TextBlockKind.Paragraph -> spans(out, kind.spans)
            is TextBlockKind.Heading -> styled(out, listOf(StyleSpan(Typeface.BOLD), RelativeSizeSpan(1.2f))) {
                spans(out, kind.spans)
            }
            is TextBlockKind.Code -> styled(out, listOf(TypefaceSpan("monospace"))) { out.append(kind.text.trimEnd('\n')) }
            is TextBlockKind.Table -> {
                kind.header.forEachIndexed { i, cell ->
                    if (i > 0) out.append(" │ ")
                    styled(out, listOf(StyleSpan(Typeface.BOLD))) { spans(out, cell) }
                }
                kind.rows.forEach { row ->
                    out.append('\n')
                    row.forEachIndexed { i, cell ->
                        if (i > 0) out.append(" │ ")
                        spans(out, cell)
                    }
                }
            }
            is TextBlockKind.ThematicBreak -> out.append("────────")
        }
    }

    private fun spans(out: SpannableStringBuilder, spans: List<TextSpan>) {
        spans.forEach { span -> styled(out, styles(span)) { out.append(span.text) } }
    }

    private fun styles(span: TextSpan): List<Any> = buildList {
        if (span.bold) add(StyleSpan(Typeface.BOLD))
        if (span.italic) add(StyleSpan(Typeface.ITALIC))
        if (span.strikethrough) add(StrikethroughSpan())
        span.link?.let { add(URLSpan(it)) }
        when (val kind = span.kind) {
            is SpanKind.Code -> add(TypefaceSpan("monospace"))
            is SpanKind.Mention -> {
                add(ForegroundColorSpan(context.colorOf(R.color.primary)))
                if (kind.mine) add(BackgroundColorSpan(context.colorOf(R.color.banner_offline)))
            }
            is SpanKind.ChannelWideMention, is SpanKind.MentionKey -> {
                add(ForegroundColorSpan(context.colorOf(R.color.primary)))
                add(BackgroundColorSpan(context.colorOf(R.color.banner_offline)))
            }
            is SpanKind.ChannelLink, is SpanKind.Hashtag -> add(ForegroundColorSpan(context.colorOf(R.color.primary)))
            else -> Unit
        }
    }

    private inline fun styled(out: SpannableStringBuilder, styles: List<Any>, write: () -> Unit) {
        val start = out.length
        write()
        styles.forEach { out.setSpan(it, start, out.length, Spanned.SPAN_EXCLUSIVE_EXCLUSIVE) }
    }
}
