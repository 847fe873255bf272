// The XML stage: one streamed <feedback> document in, one validated Report
// out, through a hardened Xerces-C SAX2 reader. It must never load a DTD,
// resolve or expand an entity, touch the network or the file system, or
// build a DOM; Xerces exceptions never leave this file. Each thread keeps
// one reader and reuses it (a failed parse discards it), because building
// a reader cost more than parsing a small report.
//
// Decisions (for the README):
// - Malformed XML is rejected with the parser's line, column and reason; we
//   do not run a recovery pass. RFC 9990 says such a report SHOULD be
//   discarded, a "recovered" report would be our guess at what the sender
//   meant, and the message is kept in quarantine for a human anyway. So the
//   IKEA report (a stray, never-closed <xs:schema> around <feedback>) fails
//   with "root element is <xs:schema>, not <feedback>", and a UTF-8 document
//   with invalid bytes (corpus invalid_utf_8.xml) fails with "invalid UTF-8
//   at line 31, column 25: byte 0x91 is not UTF-8" (utf8_guard.cpp finds
//   the position; Xerces would only name its read-ahead). We do not
//   substitute U+FFFD:
//   the bytes are most likely windows-1252 mislabelled, and guessing would
//   store text the sender never wrote. A document that declares another
//   encoding (windows-1252) is transcoded by Xerces and accepted.
// - A DOCTYPE with an internal subset or an external id is refused
//   ("DOCTYPE not allowed"): no report needs one, and refusing it closes XXE
//   and billion laughs at once. A bare <!DOCTYPE feedback> declares and
//   loads nothing; Xerces reports no event for it, and it is accepted.
// - date_range end before begin: kept, with a warning (the store keys on
//   the values as sent; rejecting would lose the records).
// - SPF "hardfail" is read as "fail" with a warning; any other value outside
//   an enumeration is kept lower-cased and flagged in Report::warnings.
// - A record without a usable source_ip or count rejects the whole report
//   (BadInput naming the record and the value): counts we cannot attribute
//   would make the report's totals lie.
// - <reason> with neither type nor comment is dropped with a warning.
#include "xml_report.hpp"

#include "utf8_guard.hpp"
#include "xerces_init.hpp"
#include "xerces_memory.hpp"
#include "xml_handler.hpp"

#include <rua/errors.hpp>

#include <xercesc/sax/InputSource.hpp>
#include <xercesc/sax/SAXException.hpp>
#include <xercesc/sax2/SAX2XMLReader.hpp>
#include <xercesc/sax2/XMLReaderFactory.hpp>
#include <xercesc/util/BinInputStream.hpp>
#include <xercesc/util/OutOfMemoryException.hpp>
#include <xercesc/util/SecurityManager.hpp>
#include <xercesc/util/XMLException.hpp>
#include <xercesc/util/XMLUni.hpp>

#include <exception>
#include <memory>
#include <new>

namespace rua::detail {

namespace {

// Xerces pulls bytes through this. An error from the source (a corrupt
// gzip stream, a decompression bound) or invalid UTF-8 is kept aside and
// reported as end of input, so that no foreign exception unwinds through
// Xerces' scanner; parse_report_xml rethrows it afterwards.
class ByteSourceStream final : public xercesc::BinInputStream {
public:
    ByteSourceStream(ByteSource& source, std::exception_ptr& error)
        : m_source(source), m_error(error) {}

    XMLFilePos curPos() const override { return m_position; }

    XMLSize_t readBytes(XMLByte* const buffer, const XMLSize_t max) override {
        if (m_error) {
            return 0;
        }
        try {
            const std::size_t n = m_source.read(reinterpret_cast<char*>(buffer), max);
            const std::string invalid = n > 0 ? m_utf8.feed(buffer, n) : m_utf8.finish();
            if (!invalid.empty()) {
                throw BadInput(invalid);
            }
            m_position += n;
            return n;
        } catch (...) {
            m_error = std::current_exception();
            return 0;
        }
    }

    const XMLCh* getContentType() const override { return nullptr; }

private:
    ByteSource& m_source;
    std::exception_ptr& m_error;
    Utf8Guard m_utf8;
    XMLFilePos m_position = 0;
};

class ByteSourceInput final : public xercesc::InputSource {
public:
    ByteSourceInput(ByteSource& source, std::exception_ptr& error)
        : xercesc::InputSource(u"rua-report"), m_source(source), m_error(error) {}

    xercesc::BinInputStream* makeStream() const override {
        return new ByteSourceStream(m_source, m_error);
    }

private:
    ByteSource& m_source;
    std::exception_ptr& m_error;
};

// No DTD is ever read (the handler stops at DOCTYPE), so this is a second
// wall: should an entity ever be expanded, the count is small and bounded.
constexpr XMLSize_t k_entity_expansion_limit = 64;

// One hardened reader per thread, reused across documents: creating a
// SAX2XMLReader (scanner, grammar pools, buffers) cost more than parsing a
// small report. The handler is attached for one parse and detached after.
// After any abnormal end the reader is dropped and the next parse builds a
// fresh one, so no state of a failed parse can leak into the next.
class ReaderSlot {
public:
    xercesc::SAX2XMLReader& acquire(ReportHandler& handler) {
        if (!m_reader) {
            m_reader = make_reader();
        }
        set_handlers(&handler);
        return *m_reader;
    }

    // Detaches the handler; `clean` false drops the reader.
    void release(bool clean) {
        if (!m_reader) {
            return;
        }
        if (clean) {
            set_handlers(nullptr);
        } else {
            m_reader.reset();
        }
    }

private:
    std::unique_ptr<xercesc::SAX2XMLReader> make_reader() {
        using xercesc::XMLUni;
        std::unique_ptr<xercesc::SAX2XMLReader> reader(
            xercesc::XMLReaderFactory::createXMLReader(&m_memory));
        reader->setFeature(XMLUni::fgSAX2CoreNameSpaces, true);
        reader->setFeature(XMLUni::fgSAX2CoreNameSpacePrefixes, false);
        reader->setFeature(XMLUni::fgSAX2CoreValidation, false);
        reader->setFeature(XMLUni::fgXercesDynamic, false);
        reader->setFeature(XMLUni::fgXercesSchema, false);
        reader->setFeature(XMLUni::fgXercesSchemaFullChecking, false);
        reader->setFeature(XMLUni::fgXercesLoadSchema, false);
        reader->setFeature(XMLUni::fgXercesLoadExternalDTD, false);
        reader->setFeature(XMLUni::fgXercesDisableDefaultEntityResolution, true);
        reader->setFeature(XMLUni::fgXercesIdentityConstraintChecking, false);
        reader->setFeature(XMLUni::fgXercesCacheGrammarFromParse, false);
        reader->setFeature(XMLUni::fgXercesUseCachedGrammarInParse, false);
        m_security.setEntityExpansionLimit(k_entity_expansion_limit);
        reader->setProperty(XMLUni::fgXercesSecurityManager, &m_security);
        return reader;
    }

    void set_handlers(ReportHandler* handler) {
        m_reader->setContentHandler(handler);
        m_reader->setErrorHandler(handler);
        m_reader->setLexicalHandler(handler);
        m_reader->setEntityResolver(handler);
    }

    // Declared before the reader, so that they outlive it.
    BlockCachingMemoryManager m_memory;
    xercesc::SecurityManager m_security;
    std::unique_ptr<xercesc::SAX2XMLReader> m_reader;
};

// The calling thread's reader. Xerces is initialised (ensure_xerces) before
// the first one is built, and a thread_local dies before the static guard
// that terminates Xerces at exit.
ReaderSlot& thread_reader() {
    thread_local ReaderSlot slot;
    return slot;
}

std::string xerces_message(const XMLCh* message) {
    std::string out;
    if (message != nullptr) {
        std::size_t length = 0;
        while (message[length] != 0) {
            ++length;
        }
        append_utf8(out, message, length);
    }
    return out;
}

} // namespace

AggregateReport parse_report_xml(ByteSource& source, const Limits& limits, ItemStream* stream) {
    ensure_xerces();
    std::exception_ptr source_error;
    ReportHandler handler(limits);
    handler.stream_to(stream);
    handler.expect_bytes(source.size_hint());
    ByteSourceInput input(source, source_error);
    std::string xerces_error;
    ReaderSlot& slot = thread_reader();
    bool clean = false;
    try {
        slot.acquire(handler).parse(input);
        clean = true;
    } catch (const ParseStopped&) {
        // The reason is in the handler (or the source error below).
    } catch (const xercesc::OutOfMemoryException&) {
        slot.release(false);
        throw std::bad_alloc();
    } catch (const xercesc::XMLException& e) {
        xerces_error = xerces_message(e.getMessage());
    } catch (const xercesc::SAXException& e) {
        xerces_error = xerces_message(e.getMessage());
    } catch (...) {
        slot.release(false);
        throw;
    }
    slot.release(clean && !source_error && !handler.failure() && !handler.foreign_error());
    if (source_error) {
        std::rethrow_exception(source_error);
    }
    if (auto foreign = handler.foreign_error()) {
        std::rethrow_exception(foreign);
    }
    if (const auto& failure = handler.failure()) {
        if (failure->limit) {
            throw LimitExceeded(failure->message);
        }
        throw BadInput(failure->message);
    }
    if (!xerces_error.empty()) {
        throw BadInput("malformed XML: " + xerces_error);
    }
    return handler.finish();
}

} // namespace rua::detail
