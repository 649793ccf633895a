build/user/sysinfo.o: user/sysinfo.c user/sysinfo.h
user/sysinfo.h:
