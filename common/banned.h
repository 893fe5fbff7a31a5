/*
 * common/banned.h - functions this project never calls, turned into compile errors.
 * Included last by every .c file of the project (after system headers).
 * Use snprintf, memcpy with explicit lengths, strtol/strtod with end checks.
 */
#ifndef REUP_COMMON_BANNED_H
#define REUP_COMMON_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_in_reup

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef atof
#define atof(x) BANNED(atof)
#undef gets
#define gets(x) BANNED(gets)

#endif
