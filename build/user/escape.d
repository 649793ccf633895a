build/user/escape.o: user/escape.c user/escape.h
user/escape.h:
