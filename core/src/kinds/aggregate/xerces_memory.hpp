// A Xerces-C memory manager for one thread's reusable reader: it keeps a
// few freed large blocks (the 160 KiB XMLReader made per document, scanner
// buffers) for the next document, so a small report costs no large
// malloc, heap trim or fresh page faults. Must only ever be used by the
// thread that owns it; it never caches more than a fixed number of bytes.
#pragma once

#include <xercesc/framework/MemoryManager.hpp>

#include <cstddef>
#include <vector>

namespace rua::detail {

class BlockCachingMemoryManager final : public xercesc::MemoryManager {
public:
    BlockCachingMemoryManager() = default;
    ~BlockCachingMemoryManager() override;
    BlockCachingMemoryManager(const BlockCachingMemoryManager&) = delete;
    BlockCachingMemoryManager& operator=(const BlockCachingMemoryManager&) = delete;

    xercesc::MemoryManager* getExceptionMemoryManager() override;
    void* allocate(XMLSize_t size) override;
    void deallocate(void* p) override;

private:
    struct Block {
        std::size_t size;
        void* base;
    };
    std::vector<Block> m_free; // cached blocks, most recently freed last
    std::size_t m_cached_bytes = 0;
};

} // namespace rua::detail
