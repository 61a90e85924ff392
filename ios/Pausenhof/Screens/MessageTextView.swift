import SwiftUI

/// A message drawn from the core's tree: paragraphs and headings as styled
/// text (mentions, channel links, emoji and links marked), code blocks in
/// a fixed-width font, tables as rows, quotes with a bar per level and
/// list markers where the core says an item starts.
@MainActor
struct MessageTextView: View {
    let text: MessageText

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            ForEach(Array(text.blocks.enumerated()), id: \.offset) { _, block in
                BlockView(block: block)
            }
        }
    }
}

@MainActor
private struct BlockView: View {
    let block: TextBlock

    var body: some View {
        HStack(alignment: .top, spacing: 6) {
            ForEach(0..<Int(block.quoteDepth), id: \.self) { _ in
                Rectangle().fill(Color.secondary.opacity(0.5)).frame(width: 3)
            }
            if let marker {
                Text(marker).frame(minWidth: 16, alignment: .trailing)
            }
            content
        }
        .padding(.leading, CGFloat(max(block.listPath.count - 1, 0)) * 16)
    }

    /// The innermost list item's marker, on its first block only.
    private var marker: String? {
        guard let level = block.listPath.last else { return nil }
        guard level.firstBlock else { return " " }
        if let done = level.task {
            return done ? "☑" : "☐"
        }
        if let number = level.number {
            return "\(number)."
        }
        return "•"
    }

    @ViewBuilder private var content: some View {
        switch block.kind {
        case .paragraph(let spans):
            Text(attributed(spans))
        case .heading(let level, let spans):
            Text(attributed(spans))
                .font(level <= 1 ? .title2.bold() : level == 2 ? .title3.bold() : .headline)
                .accessibilityAddTraits(.isHeader)
        case .code(_, let code):
            ScrollView(.horizontal) {
                Text(code)
                    .font(.system(.callout, design: .monospaced))
                    .padding(6)
            }
            .background(Color.secondary.opacity(0.12))
            .cornerRadius(4)
        case .table(_, let header, let rows):
            ScrollView(.horizontal) {
                VStack(alignment: .leading, spacing: 2) {
                    tableRow(header).font(.body.bold())
                    ForEach(Array(rows.enumerated()), id: \.offset) { _, row in
                        tableRow(row)
                    }
                }
            }
        case .thematicBreak:
            Divider()
        }
    }

    private func tableRow(_ cells: [[TextSpan]]) -> some View {
        HStack(alignment: .top, spacing: 12) {
            ForEach(Array(cells.enumerated()), id: \.offset) { _, cell in
                Text(attributed(cell)).frame(minWidth: 60, alignment: .leading)
            }
        }
    }
}

/// The spans of one paragraph as one attributed string.
func attributed(_ spans: [TextSpan]) -> AttributedString {
    var result = AttributedString()
    for span in spans {
        var part = AttributedString(span.text)
        var intent: InlinePresentationIntent = []
        switch span.kind {
        case .code:
            intent.insert(.code)
            part.backgroundColor = Color.secondary.opacity(0.15)
        case .mention(_, _, _, let mine):
            part.foregroundColor = .accentColor
            if mine {
                part.backgroundColor = Color.yellow.opacity(0.3)
            }
        case .channelWideMention, .mentionKey:
            part.foregroundColor = .accentColor
            part.backgroundColor = Color.yellow.opacity(0.3)
        case .channelLink, .hashtag:
            part.foregroundColor = .accentColor
        case .text, .lineBreak, .emoji:
            break
        }
        if span.bold { intent.insert(.stronglyEmphasized) }
        if span.italic { intent.insert(.emphasized) }
        if span.strikethrough { intent.insert(.strikethrough) }
        if !intent.isEmpty {
            part.inlinePresentationIntent = intent
        }
        if let link = span.link, let url = URL(string: link) {
            part.link = url
        }
        result += part
    }
    return result
}
