/* Wine 8 has no bcryptprimitives.dll, whose ProcessPrng the Rust standard library asks for
 * on Windows. This stand-in gives it from advapi32's RtlGenRandom (SystemFunction036), which
 * Wine has. Built by .ci/windows with mingw-w64 and put in the Wine prefix's system32; it is
 * not part of Shoebox and is never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
