// The block-caching Xerces memory manager (see xerces_memory.hpp). Every
// block carries its size in a header; blocks of k_min_cached bytes or more
// go to a small cache when freed, the rest straight back to the heap. Must
// never hand one block out twice or keep more than k_max_cached_bytes.
#include "xerces_memory.hpp"

#include <xercesc/util/OutOfMemoryException.hpp>
#include <xercesc/util/PlatformUtils.hpp>

#include <cstddef>
#include <cstdlib>
#include <iterator>
#include <new>

namespace rua::detail {

namespace {

constexpr std::size_t k_header = alignof(std::max_align_t) > sizeof(std::size_t)
                                     ? alignof(std::max_align_t)
                                     : sizeof(std::size_t);
constexpr std::size_t k_min_cached = 8u << 10;
constexpr std::size_t k_max_cached_blocks = 16;
constexpr std::size_t k_max_cached_bytes = 2u << 20;

} // namespace

BlockCachingMemoryManager::~BlockCachingMemoryManager() {
    for (const auto& block : m_free) {
        std::free(block.base);
    }
}

xercesc::MemoryManager* BlockCachingMemoryManager::getExceptionMemoryManager() {
    // Exceptions may outlive a parse (and this thread's manager).
    return xercesc::XMLPlatformUtils::fgMemoryManager;
}

void* BlockCachingMemoryManager::allocate(XMLSize_t size) {
    if (size >= k_min_cached) {
        for (auto it = m_free.rbegin(); it != m_free.rend(); ++it) {
            if (it->size == size) {
                void* base = it->base;
                m_cached_bytes -= size;
                m_free.erase(std::next(it).base());
                return static_cast<char*>(base) + k_header;
            }
        }
    }
    void* base = std::malloc(size + k_header);
    if (base == nullptr) {
        throw xercesc::OutOfMemoryException();
    }
    *static_cast<std::size_t*>(base) = size;
    return static_cast<char*>(base) + k_header;
}

void BlockCachingMemoryManager::deallocate(void* p) {
    if (p == nullptr) {
        return;
    }
    void* base = static_cast<char*>(p) - k_header;
    const std::size_t size = *static_cast<std::size_t*>(base);
    if (size >= k_min_cached && m_free.size() < k_max_cached_blocks &&
        m_cached_bytes + size <= k_max_cached_bytes) {
        try {
            m_free.push_back(Block{size, base});
            m_cached_bytes += size;
            return;
        } catch (const std::bad_alloc&) {
            // Not cached: freed below.
        }
    }
    std::free(base);
}

} // namespace rua::detail
