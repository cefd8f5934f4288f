/* For tests/release.rs under Wine only (never shipped): Wine 8.0 (Debian 12's) has no
   bcryptprimitives.dll, which Windows 10 and later have and from which Rust's std takes its random
   bytes (ProcessPrng). This stand-in, put beside the .exe, answers from RtlGenRandom
   (advapi32's SystemFunction036). Built with zig: zig cc -shared -target x86_64-windows-gnu. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
