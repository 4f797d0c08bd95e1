import Testing

@testable import EvaluatorClient

@Suite struct ClientSSEParserTests {
    /// LF, CRLF and lone-CR line endings, comments (kept with their event's block), multi-line data, event and id fields, multi-byte UTF-8,
    /// ignored fields, an empty data line, the [DONE] marker and an unterminated tail.
    static let sample = Array(
        ("\u{FEFF}: keep-alive comment\n"
            + "data: {\"text\":\"héllo 😀\"}\n\n"
            + "event: update\r\ndata: line1\r\n:fake-sllm sim_t=1.5\r\ndata:line2\r\nid: 7\r\n\r\n"
            + "data: 世界\r\r"
            + "retry: 100\nunknown: x\n: dropped with its dataless block\nevent: ping\n\n"
            + "data\n\n"
            + "data: [DONE]\r\n\r\n"
            + "data: never dispatched").utf8)

    static let expected: [SSEEvent] = [
        SSEEvent(data: "{\"text\":\"héllo 😀\"}", comments: ["keep-alive comment"]),
        SSEEvent(event: "update", data: "line1\nline2", id: "7", comments: ["fake-sllm sim_t=1.5"]),
        SSEEvent(data: "世界", id: "7"),
        SSEEvent(data: "", id: "7"),
        SSEEvent(data: "[DONE]", id: "7"),
    ]

    @Test func wholeStreamGivesEveryEvent() {
        var parser = SSEParser()
        let events = parser.feed(Self.sample)
        #expect(events == Self.expected)
        #expect(events.map(\.isDone) == [false, false, false, false, true])
    }

    @Test func everySplitPointGivesTheSameEvents() {
        for cut in 0...Self.sample.count {
            var parser = SSEParser()
            let events = parser.feed(Self.sample[..<cut]) + parser.feed(Self.sample[cut...])
            #expect(events == Self.expected, "split at byte \(cut)")
        }
    }

    @Test func everyPairOfSplitPointsAroundTheCRLFEventGivesTheSameEvents() {
        let region = 30..<90  // covers the CRLF-terminated event, its "\r\n\r\n" and the lone-CR event
        for first in region {
            for second in first...region.upperBound {
                var parser = SSEParser()
                let events =
                    parser.feed(Self.sample[..<first]) + parser.feed(Self.sample[first..<second])
                    + parser.feed(Self.sample[second...])
                #expect(events == Self.expected, "split at bytes \(first) and \(second)")
            }
        }
    }

    @Test func byteAtATimeGivesTheSameEvents() {
        var parser = SSEParser()
        let events = Self.sample.flatMap { parser.feed([$0]) }
        #expect(events == Self.expected)
    }

    @Test func eventsArriveAsSoonAsTheirBlankLineDoes() {
        var parser = SSEParser()
        #expect(parser.feed(Array("data: a\n".utf8)).isEmpty)
        #expect(parser.feed(Array("\n".utf8)) == [SSEEvent(data: "a")])
        #expect(parser.feed(Array("data: b\r".utf8)).isEmpty)
        #expect(parser.feed(Array("\r".utf8)) == [SSEEvent(data: "b")])
    }

    @Test func eventWithoutDataIsNotDispatchedAndItsTypeDoesNotLeak() {
        var parser = SSEParser()
        let events = parser.feed(Array("event: lonely\n\ndata: x\n\n".utf8))
        #expect(events == [SSEEvent(data: "x")])
    }
}
